import type { Logger } from 'winston';

const SIGNALS = ['SIGTERM', 'SIGINT'] as const;

/**
 * SIGTERM/SIGINT → a graceful stop. Installed before anything slow starts, so a signal during
 * start-up (opening the database, migrating) also ends in a clean stop instead of a kill.
 *
 * Repeated signals are logged and otherwise ignored: `nx run worker:serve` under Ctrl-C delivers
 * SIGINT both from the terminal and from nx, and a second one must not cut short the job being
 * written. The stop is bounded by KILN_SHUTDOWN_TIMEOUT instead; SIGKILL always works, and the jobs
 * it leaves are picked up by the next start.
 */
export class ShutdownSignal {
  /** Resolves with the signal's name on the first signal. */
  readonly requested: Promise<string>;
  private signal: string | undefined;
  private logger: Logger | undefined;
  private readonly handlers = new Map<string, () => void>();

  constructor() {
    let resolve!: (signal: string) => void;
    this.requested = new Promise((r) => (resolve = r));
    for (const name of SIGNALS) {
      const handler = () => {
        if (this.signal) {
          this.logger?.warn('already stopping: waiting for the work under way (SIGKILL stops at once; its jobs are picked up by the next start)', { signal: name });
          return;
        }
        this.signal = name;
        resolve(name);
      };
      this.handlers.set(name, handler);
      process.on(name, handler);
    }
  }

  /** Where repeated signals are reported (the logger exists only once the config is read). */
  useLogger(logger: Logger): void {
    this.logger = logger;
  }

  get received(): string | undefined {
    return this.signal;
  }

  /**
   * The signal received so far, counting one that arrived while synchronous code ran (loading the
   * worker's modules): Node runs signal handlers from its event loop, so this lets one turn pass first.
   */
  async receivedByNow(): Promise<string | undefined> {
    await new Promise((resolve) => setImmediate(resolve));
    return this.signal;
  }

  dispose(): void {
    for (const [name, handler] of this.handlers) process.off(name, handler);
  }
}
