import type { Logger } from 'winston';

export interface PeriodicLoopOptions {
  name: string;
  intervalMs: number;
  tick: () => Promise<void>;
  logger: Logger;
  /** Consecutive failures retried quickly before the loop backs off (the seed's "retry up to 3 times"). */
  quickRetries?: number;
  quickRetryDelayMs?: number;
  maxBackoffMs?: number;
}

/**
 * Runs `tick` every `intervalMs`, never two at once; `wake()` runs it as soon as the current one ends.
 * A failing tick is logged and retried (quickly up to 3 times in a row, then with growing delays):
 * a loop never crashes the process.
 */
export class PeriodicLoop {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  private wakeRequested = false;
  private stopped = true;
  private consecutiveFailures = 0;

  constructor(private readonly options: PeriodicLoopOptions) {}

  start(): void {
    this.stopped = false;
    this.schedule(0);
  }

  /** Runs the tick now (or right after the one under way). */
  wake(): void {
    if (this.stopped) return;
    if (this.running) {
      this.wakeRequested = true;
      return;
    }
    this.schedule(0);
  }

  /** Stops scheduling and waits for a tick under way to finish. */
  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    await this.running;
  }

  private schedule(delayMs: number): void {
    if (this.stopped) return;
    if (this.timer) clearTimeout(this.timer);
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.running = this.runOnce().finally(() => {
        this.running = undefined;
      });
    }, delayMs);
  }

  private async runOnce(): Promise<void> {
    this.wakeRequested = false;
    let nextDelay = this.options.intervalMs;
    try {
      await this.options.tick();
      this.consecutiveFailures = 0;
    } catch (error) {
      this.consecutiveFailures++;
      const quick = this.options.quickRetries ?? 3;
      nextDelay =
        this.consecutiveFailures <= quick
          ? (this.options.quickRetryDelayMs ?? 1000)
          : Math.min(this.options.maxBackoffMs ?? 60_000, this.options.intervalMs * 2 ** (this.consecutiveFailures - quick));
      this.options.logger.error(`${this.options.name} loop failed`, {
        error: (error as Error).message,
        stack: (error as Error).stack,
        consecutiveFailures: this.consecutiveFailures,
        retryInMs: nextDelay,
      });
    }
    this.schedule(this.wakeRequested && this.consecutiveFailures === 0 ? 0 : nextDelay);
  }
}
