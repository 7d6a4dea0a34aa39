/** Why a run stopped early: a user interrupt (recorded in history) or a restart/close (forgotten). */
export type StopReason = 'interrupt' | 'cancel';

export class RunStopped extends Error {
  constructor(readonly reason: StopReason) {
    super(`run stopped: ${reason}`);
  }
}

/** Cooperative interruption for one running prompt; waits end early when it is stopped. */
export class RunControl {
  private stopReason: StopReason | undefined;
  private readonly wakers = new Set<() => void>();

  get stopped(): StopReason | undefined {
    return this.stopReason;
  }

  stop(reason: StopReason): void {
    // A cancel (restart) overrides an interrupt, never the other way round.
    if (this.stopReason === 'cancel') return;
    this.stopReason = reason;
    for (const wake of this.wakers) wake();
    this.wakers.clear();
  }

  /** Throws RunStopped if the run was interrupted or cancelled. */
  check(): void {
    if (this.stopReason) throw new RunStopped(this.stopReason);
  }

  /** Sleeps `ms` (0 still yields to the event loop), then checks. */
  async wait(ms: number): Promise<void> {
    await this.sleep(ms);
    this.check();
  }

  /** Waits until interrupted or cancelled ("hang" fault). */
  async waitForever(): Promise<void> {
    await this.sleep(Infinity);
    this.check();
  }

  private sleep(ms: number): Promise<void> {
    if (this.stopReason) return Promise.resolve();
    if (ms <= 0) return new Promise((resolve) => setImmediate(resolve));
    return new Promise((resolve) => {
      const timer = Number.isFinite(ms) ? setTimeout(() => wake(), ms) : undefined;
      const wake = () => {
        if (timer) clearTimeout(timer);
        this.wakers.delete(wake);
        resolve();
      };
      this.wakers.add(wake);
    });
  }
}
