import type { EmulatorContext } from '../emulator-context';
import { defaultFaults, type EmulatorFaults } from '../faults/emulator-faults';
import { jsonReply, type HttpReply } from '../http/http-reply';
import type { Route, RouteRequest } from '../http/router';

/** Prefix of the emulator's own endpoints; never mirrored under /api and never hit by faults. */
export const CONTROL_PREFIX = '/__emulator';

function readJson(request: RouteRequest): Record<string, unknown> {
  const text = request.body.toString('utf8').trim();
  if (text === '') return {};
  const value: unknown = JSON.parse(text);
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new TypeError('JSON object expected');
  return value as Record<string, unknown>;
}

function badRequest(message: string): HttpReply {
  return jsonReply({ error: message }, 400);
}

/** Checks a faults patch against the known fields and their types. */
function parseFaultsPatch(body: Record<string, unknown>): Partial<EmulatorFaults> | string {
  const defaults = defaultFaults();
  for (const [key, value] of Object.entries(body)) {
    if (!(key in defaults)) return `unknown fault "${key}"`;
    const expected = Array.isArray(defaults[key as keyof EmulatorFaults]) ? 'array' : typeof defaults[key as keyof EmulatorFaults];
    const actual = Array.isArray(value) ? 'array' : typeof value;
    if (expected !== actual) return `fault "${key}" must be a ${expected}`;
  }
  if (Array.isArray(body.requests) && body.requests.some((rule) => typeof rule?.route !== 'string')) {
    return 'every request fault needs a "route" string';
  }
  return body as Partial<EmulatorFaults>;
}

/** Answers first, then acts; `Connection: close` so the client does not reuse a socket we are about to kill. */
function closingReply(reply: HttpReply, action: () => Promise<void>): HttpReply {
  return { ...reply, closeConnection: true, afterSend: () => void action() };
}

/** `{folder: [file, …]}` with string lists only. */
function parseModelsPatch(body: Record<string, unknown>): Record<string, string[]> | string {
  for (const [folder, files] of Object.entries(body)) {
    if (!Array.isArray(files) || files.some((file) => typeof file !== 'string')) {
      return `models "${folder}" must be a list of file names`;
    }
  }
  return body as Record<string, string[]>;
}

function numberField(body: Record<string, unknown>, key: string): number {
  const value = body[key];
  return typeof value === 'number' && value > 0 ? value : 0;
}

export function emulatorControlRoutes(context: EmulatorContext): Route[] {
  const route = (method: string, pattern: string, handler: Route['handler']): Route => ({
    method,
    pattern: `${CONTROL_PREFIX}${pattern}`,
    handler,
  });
  return [
    route('GET', '/faults', () => jsonReply(context.faults.current())),
    route('POST', '/faults', (request) => {
      const patch = parseFaultsPatch(readJson(request));
      if (typeof patch === 'string') return badRequest(patch);
      context.faults.set(patch);
      return jsonReply(context.faults.current());
    }),
    route('DELETE', '/faults', () => {
      context.faults.reset();
      return jsonReply(context.faults.current());
    }),
    route('GET', '/stats', () => jsonReply(context.stats())),
    route('GET', '/models', () => jsonReply(context.models.all())),
    route('POST', '/models', (request) => {
      const patch = parseModelsPatch(readJson(request));
      if (typeof patch === 'string') return badRequest(patch);
      try {
        context.models.replace(patch);
      } catch (error) {
        return badRequest((error as Error).message);
      }
      return jsonReply(context.models.all());
    }),
    route('POST', '/input-images', (request) => {
      const names = readJson(request).names;
      if (!Array.isArray(names) || names.some((name) => typeof name !== 'string')) {
        return badRequest('"names" must be a list of file names');
      }
      try {
        for (const name of names as string[]) context.addInputImage(name);
      } catch (error) {
        return badRequest((error as Error).message);
      }
      return jsonReply(context.inputImages());
    }),
    route('POST', '/restart', (request) => {
      const downMs = numberField(readJson(request), 'downMs');
      return closingReply(jsonReply({ restarting: true, downMs }), () => context.restart(downMs));
    }),
    route('POST', '/reset', () => closingReply(jsonReply({ reset: true }), () => context.reset())),
    route('POST', '/drop-websockets', () => {
      context.dropWebSockets();
      return jsonReply({ dropped: true });
    }),
    route('POST', '/refuse-connections', (request) => {
      const ms = numberField(readJson(request), 'ms');
      return closingReply(jsonReply({ refusingForMs: ms }), () => context.refuseConnections(ms));
    }),
  ];
}
