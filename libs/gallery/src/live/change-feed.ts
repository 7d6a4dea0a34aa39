/**
 * Tells open pages that what they show changed. One reader per gallery asks the database for a
 * change stamp while at least one page listens, so any writer (this worker, another worker, a
 * `kiln` command) is seen the same way.
 */
export class ChangeFeed {
  private readonly listeners = new Set<(stamp: string) => void>();
  private timer: NodeJS.Timeout | undefined;
  private last = '';
  private reading = false;

  constructor(
    private readonly readStamp: () => Promise<string>,
    private readonly intervalMs: number,
  ) {}

  subscribe(listener: (stamp: string) => void): () => void {
    this.listeners.add(listener);
    if (!this.timer) {
      void this.tick();
      this.timer = setInterval(() => void this.tick(), this.intervalMs);
      this.timer.unref();
    }
    return () => {
      this.listeners.delete(listener);
      if (this.listeners.size === 0) this.stop();
    };
  }

  stop(): void {
    clearInterval(this.timer);
    this.timer = undefined;
    this.last = '';
  }

  private async tick(): Promise<void> {
    if (this.reading) return;
    this.reading = true;
    try {
      const stamp = await this.readStamp();
      if (stamp !== this.last) {
        this.last = stamp;
        for (const listener of this.listeners) listener(stamp);
      }
    } catch {
      // The database being briefly unavailable only delays the next update.
    } finally {
      this.reading = false;
    }
  }
}
