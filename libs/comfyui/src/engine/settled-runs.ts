import type { RunSummary } from './run-summary';

interface Waiter {
  resolve: (summary: RunSummary) => void;
  /** The check number current when the caller asked. */
  askedAt: number;
}

/** Callers waiting for runs to settle, answered by {@link check}. */
export class SettledRuns {
  private readonly waiters = new Map<string, Waiter[]>();
  private checks = 0;

  constructor(
    private readonly summarize: (runId: string) => Promise<RunSummary>,
    /** A run has work left but no job open: someone should look for that work now. */
    private readonly onWorkLeft: () => void,
  ) {}

  /** Resolves with the run's summary at the end of the first check that begins after this call and finds it settled. */
  wait(runId: string): Promise<RunSummary> {
    return new Promise((resolve) => {
      const waiting = this.waiters.get(runId) ?? [];
      waiting.push({ resolve, askedAt: this.checks });
      this.waiters.set(runId, waiting);
    });
  }

  /**
   * Answers the waiters of settled runs. A check only answers callers who asked before it began:
   * checks run concurrently (poller and events), and a stale "settled" must not answer someone who
   * asked after new work appeared (e.g. candidates selected for children).
   */
  async check(): Promise<void> {
    const check = ++this.checks;
    for (const runId of [...this.waiters.keys()]) {
      const summary = await this.summarize(runId);
      if (!summary.settled) {
        // No job open but work left: our own check held the step lock, so a submit tick running
        // meanwhile skipped the step and found nothing. Run it again rather than wait an interval.
        if (summary.open === 0) this.onWorkLeft();
        continue;
      }
      const waiting = this.waiters.get(runId) ?? [];
      const answered = waiting.filter((w) => w.askedAt < check);
      const rest = waiting.filter((w) => w.askedAt >= check);
      if (rest.length) this.waiters.set(runId, rest);
      else this.waiters.delete(runId);
      for (const waiter of answered) waiter.resolve(summary);
    }
  }
}
