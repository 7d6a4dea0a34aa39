import { ComfyUiClient, listOfferedModels, ServerCatalogues } from '@kiln/comfyui';
import { startEmulator } from '@kiln/comfyui-emulator';
import type { ObjectInfo } from '@kiln/job-orchestration';
import { redactUrl } from '@kiln/settings';
import type { CliConfig } from '../config/cli-config';
import type { Reporter } from '../output/reporter';

/** ComfyUI as one command sees it: its server URLs (or the emulator's), ready for clients. */
export interface ComfyUiSession {
  urls: string[];
  /** For messages: the servers without credentials. */
  label: string;
  headers: Record<string, string>;
  isEmulator: boolean;
  client(url?: string): ComfyUiClient;
  /**
   * Each server's `/object_info`, read once per command and shared by everything in it: UI-format
   * conversion, preflight, `kiln models`/`checkpoints` and the engine's routing.
   */
  catalogues: ServerCatalogues;
  /** The first server's `/object_info` (from {@link catalogues}), for converting UI-format workflows. */
  objectInfo(): Promise<ObjectInfo>;
  close(): Promise<void>;
}

const EMULATOR_WARNING =
  'EMULATOR: using the bundled ComfyUI emulator, not a real ComfyUI. Its images are SYNTHETIC test patterns, not generated art.';

/** Connects to the configured servers, or starts the bundled emulator in this process (`--emulator`). */
export async function openComfySession(config: CliConfig, reporter: Reporter, env: NodeJS.ProcessEnv): Promise<ComfyUiSession> {
  if (config.comfy.kind === 'servers') {
    const urls = config.comfy.urls;
    return session(urls, config.comfyUiHeaders, false, async () => undefined);
  }
  const promptDurationMs = Number(env['KILN_EMULATOR_PROMPT_MS'] ?? 150);
  // ComfyUI ships custom_nodes/websocket_image_save.py: a real server offers SaveImageWebsocket too.
  const emulator = await startEmulator({ port: 0, promptDurationMs: Number.isFinite(promptDurationMs) ? promptDurationMs : 150, customNodes: ['SaveImageWebsocket'] });
  reporter.warn(`${EMULATOR_WARNING}\n  (emulator at ${emulator.url}; the same job file runs unchanged against a real ComfyUI with COMFYUI_BASE_URL)`);
  return session([emulator.url], {}, true, () => emulator.close());
}

function session(urls: string[], headers: Record<string, string>, isEmulator: boolean, close: () => Promise<unknown>): ComfyUiSession {
  const clients = new Map<string, ComfyUiClient>();
  const client = (url = urls[0]) => {
    let existing = clients.get(url);
    if (!existing) {
      existing = new ComfyUiClient({ baseUrl: url, headers, retry: { retries: 2, baseDelayMs: 200, maxDelayMs: 1000 } });
      clients.set(url, existing);
    }
    return existing;
  };
  const catalogues = new ServerCatalogues(client);
  return {
    urls,
    label: urls.map(redactUrl).join(', '),
    headers,
    isEmulator,
    client,
    catalogues,
    objectInfo: async () => (await catalogues.get(urls[0])).objectInfo,
    async close() {
      await close();
    },
  };
}

/**
 * Checkpoints every server of the session offers (a job may land on any of them), from the
 * session's catalogues. Throws the client's `COMFYUI_UNREACHABLE` when a server does not answer.
 */
export async function listAvailableCheckpoints(comfy: ComfyUiSession): Promise<string[]> {
  const lists = await Promise.all(comfy.urls.map(async (url) => listOfferedModels((await comfy.catalogues.get(url)).objectInfo)['checkpoints'] ?? []));
  const [first, ...rest] = lists;
  return first.filter((name) => rest.every((list) => list.includes(name))).sort((a, b) => a.localeCompare(b));
}
