import { ComfyUiClient } from '@kiln/comfyui';
import type { Logger } from 'winston';

/** How to start something that answers on the default address, for the "cannot reach" log line. */
const START_HINT =
  'start ComfyUI there (or the bundled emulator: npx nx run comfyui-emulator:serve --args="--port 8188"), ' +
  'or set COMFYUI_BASE_URL to the server(s) to use';

export interface ComfyUiWatchOptions {
  servers: readonly string[];
  /** Sent with every probe (COMFYUI_AUTH_HEADER); never logged. */
  headers: Record<string, string>;
  /** Time between probes. */
  intervalMs: number;
  /** While every server is down, repeat the warning this often (default 60 s). */
  reminderMs?: number;
  logger: Logger;
  /** Called when some server answers after none did (also at start). */
  onAvailable: () => Promise<void>;
  /** Called when no server answers any more. */
  onUnavailable: () => Promise<void>;
}

export type ServerReachability = 'reachable' | 'unreachable' | 'unknown';

/**
 * Probes every ComfyUI server (`GET /system_stats`, no retries) and tells the worker when the pool
 * becomes usable or unusable, so the engine only runs while at least one server answers: jobs are
 * not created and their retry budget not spent against a server that is not there. Each change is
 * logged once, with how to fix it; while every server is down a reminder is logged now and then.
 */
export class ComfyUiWatch {
  private readonly clients: Map<string, ComfyUiClient>;
  private readonly state = new Map<string, ServerReachability>();
  private available: boolean | undefined;
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  private stopped = true;
  private lastReminder = 0;

  constructor(private readonly options: ComfyUiWatchOptions) {
    this.clients = new Map(
      options.servers.map((server) => [
        server,
        new ComfyUiClient({ baseUrl: server, headers: options.headers, retry: { retries: 0 }, requestTimeoutMs: Math.max(1000, Math.min(5000, options.intervalMs)) }),
      ]),
    );
    for (const server of options.servers) this.state.set(server, 'unknown');
  }

  /** Probes once (so the engine starts at once when ComfyUI is up), then keeps probing. */
  async start(): Promise<void> {
    this.stopped = false;
    this.running = this.probe();
    await this.running;
    this.schedule();
  }

  /** Stops probing and waits for a probe (and the engine start/stop it triggered) under way. */
  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    await this.running;
  }

  /** Per server, for /healthz (URLs without credentials). */
  status(): Record<string, ServerReachability> {
    return Object.fromEntries([...this.state].map(([server, state]) => [this.clients.get(server)?.baseUrl ?? server, state]));
  }

  private schedule(): void {
    if (this.stopped) return;
    this.timer = setTimeout(() => {
      this.running = this.probe().finally(() => {
        this.running = undefined;
        this.schedule();
      });
    }, this.options.intervalMs);
  }

  private async probe(): Promise<void> {
    const { logger } = this.options;
    await Promise.all(
      [...this.clients].map(async ([server, client]) => {
        const before = this.state.get(server);
        try {
          const stats = await client.getSystemStats();
          this.state.set(server, 'reachable');
          if (before !== 'reachable') {
            logger.info('ComfyUI reachable', {
              server: client.baseUrl,
              comfyUiVersion: stats.system.comfyui_version,
              devices: stats.devices.map((d) => d.name),
            });
          }
        } catch (error) {
          this.state.set(server, 'unreachable');
          if (before !== 'unreachable') {
            logger.warn(`cannot reach ComfyUI at ${client.baseUrl}: ${START_HINT}; checking again every ${seconds(this.options.intervalMs)}`, {
              server: client.baseUrl,
              error: (error as Error).message,
            });
          }
        }
      }),
    );
    if (this.stopped) return;
    const available = [...this.state.values()].includes('reachable');
    try {
      if (available && this.available !== true) {
        this.available = true;
        await this.options.onAvailable();
      } else if (!available && this.available !== false) {
        const wasAvailable = this.available === true;
        this.available = false;
        this.lastReminder = Date.now();
        logger.warn(
          wasAvailable
            ? 'no ComfyUI server answers: generation paused; jobs in flight stay recorded and are followed again when a server is back'
            : 'no ComfyUI server answers: waiting for one before generating anything',
          { servers: this.servers(), hint: START_HINT },
        );
        if (wasAvailable) await this.options.onUnavailable();
      } else if (!available && Date.now() - this.lastReminder >= (this.options.reminderMs ?? 60_000)) {
        this.lastReminder = Date.now();
        logger.warn('still cannot reach any ComfyUI server: nothing is generated until one answers', { servers: this.servers(), hint: START_HINT });
      }
    } catch (error) {
      // Starting or pausing the engine failed (e.g. the database blinked): try again on the next probe.
      this.available = undefined;
      logger.error('could not switch the job engine on or off; trying again', { error: (error as Error).message });
    }
  }

  private servers(): string[] {
    return [...this.clients.values()].map((c) => c.baseUrl);
  }
}

function seconds(ms: number): string {
  return `${Number((ms / 1000).toFixed(2))} s`;
}
