import { redactUrl } from '@kiln/settings';
import type { EntityManager } from 'typeorm';
import { ComfyUiClient } from '../client/comfyui-client';
import type { ComfyUiClientOptions } from '../client/options';
import { countInFlightByServer } from '../jobs/job-ledger';

/**
 * One client per ComfyUI server, and the free capacity of each. A server is known everywhere
 * (job rows, sidecars, events, logs, metric labels) by its redacted URL: a password in
 * COMFYUI_BASE_URL lives only in the client built here.
 */
export class ServerPool {
  /** The servers' redacted URLs, in the configured order. */
  readonly servers: readonly string[];
  private readonly clients = new Map<string, ComfyUiClient>();

  constructor(
    configured: readonly string[],
    private readonly clientOptions: Omit<ComfyUiClientOptions, 'baseUrl'>,
    /** Prompts kept on each server at once: enough that the GPU never waits for the next one. */
    readonly maxInFlightPerServer: number,
  ) {
    this.servers = configured.map(serverId);
    for (const server of configured) this.clients.set(serverId(server), new ComfyUiClient({ ...clientOptions, baseUrl: server }));
  }

  clientFor(server: string): ComfyUiClient {
    const client = this.clients.get(server);
    if (client) return client;
    // A job submitted by an earlier configuration: talk to its server with the same settings.
    const created = new ComfyUiClient({ ...this.clientOptions, baseUrl: server });
    this.clients.set(server, created);
    return created;
  }

  /** Free slots per configured server (from the shared job table, so every worker sees the same). */
  async freeSlots(manager: EntityManager): Promise<Map<string, number>> {
    return this.freeSlotsGiven(await countInFlightByServer(manager));
  }

  /** Free slots per configured server, given the prompts in flight on each. */
  freeSlotsGiven(inFlight: ReadonlyMap<string, number>): Map<string, number> {
    return new Map(this.servers.map((s) => [s, Math.max(0, this.maxInFlightPerServer - (inFlight.get(s) ?? 0))]));
  }
}

/** The server with the most free slots (ties: pool order), among `among` when given; decrements its count. */
export function takeSlot(free: Map<string, number>, among?: readonly string[]): string | undefined {
  let best: string | undefined;
  for (const [server, slots] of free) {
    if (among && !among.includes(server)) continue;
    if (slots > 0 && (best === undefined || slots > (free.get(best) ?? 0))) best = server;
  }
  if (best !== undefined) free.set(best, (free.get(best) ?? 0) - 1);
  return best;
}

/** How a server is named outside its client (job rows included): its URL without secrets. */
export function serverId(url: string): string {
  const id = redactUrl(url);
  return id === '<unparseable URL>' ? url : id;
}
