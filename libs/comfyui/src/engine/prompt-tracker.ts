import type { SubmitJobResult } from '../commands/submit-job';
import type { ComfyUiJob } from '../jobs/comfyui-job.entity';

/**
 * The engine's per-prompt bookkeeping between posting a prompt and handling its WebSocket events.
 * Everything is keyed by prompt id and dropped once the prompt is handled, so nothing grows per job.
 */
export class PromptTracker {
  private accepting = false;
  /**
   * Posts under way. A fast prompt's "done" event can arrive before its job is marked submitted;
   * its handler waits for the post instead of finding a pending job and dropping the event.
   */
  private readonly posting = new Map<string, Promise<unknown>>();
  /**
   * The last event handler of each prompt. Handlers of one prompt run in order, each on a freshly
   * read job: with fast prompts `execution_start` and the "done" event arrive together, and two
   * handlers holding the same stale job would make the completion lose its guarded update (running
   * vs submitted) and wait for the next poll.
   */
  private readonly promptWork = new Map<string, Promise<void>>();
  /**
   * Jobs this engine posted, until their "done" event: the handler starts from this row instead of
   * reading it again (one query per image). A stale copy is harmless, every update is guarded by the
   * status it saw. Pruned to the jobs in flight on each poll, so it cannot grow.
   */
  private readonly postedJobs = new Map<string, ComfyUiJob>();
  /** Prompts whose "done" event arrived and is not handled yet. */
  private readonly reportedDone = new Set<string>();
  /** Handlers under way, for {@link close} to wait for. */
  private readonly handlers = new Set<Promise<void>>();

  /** Starts accepting posts and events. */
  open(): void {
    this.accepting = true;
  }

  /** Refuses new events and posts at once; resolves when the handlers under way have ended. */
  async close(): Promise<void> {
    this.accepting = false;
    await Promise.all([...this.handlers]);
    this.postedJobs.clear();
    this.reportedDone.clear();
  }

  /** Records a post under way; a job it submitted is kept for its "done" event. */
  trackPost(promptId: string, post: Promise<SubmitJobResult>): Promise<SubmitJobResult> {
    const tracked = post
      .then((result) => {
        if (result.outcome === 'submitted' && this.accepting) this.postedJobs.set(promptId, result.job);
        return result;
      })
      .finally(() => this.posting.delete(promptId));
    this.posting.set(promptId, tracked);
    return tracked;
  }

  /**
   * Runs `action` for an event of the prompt once the prompt's earlier handlers and its post have
   * ended. The returned promise carries the action's error; the chain of the prompt goes on regardless.
   */
  handle(promptId: string, action: () => Promise<void>): Promise<void> {
    if (!this.accepting) return Promise.resolve();
    const previous = this.promptWork.get(promptId);
    const work = (async () => {
      await previous;
      await this.posting.get(promptId)?.catch(() => undefined);
      await action();
    })();
    const settled = work.then(
      () => undefined,
      () => undefined,
    );
    this.handlers.add(settled);
    this.promptWork.set(promptId, settled);
    void settled.finally(() => {
      this.handlers.delete(settled);
      if (this.promptWork.get(promptId) === settled) this.promptWork.delete(promptId);
    });
    return work;
  }

  /** Notes a "done" event as it arrives, before its handler runs. */
  reportDone(promptId: string): void {
    if (this.accepting) this.reportedDone.add(promptId);
  }

  /**
   * Whether the prompt's "done" event has arrived: a prompt that is already done (fast or cached by
   * ComfyUI) goes straight to completed, marking it running first would be a write for nothing.
   */
  isReportedDone(promptId: string): boolean {
    return this.reportedDone.has(promptId);
  }

  /** After `execution_start`: `marked` says whether our own update moved the job to running. */
  startedRunning(promptId: string, marked: boolean, startedAt: Date): void {
    const cached = this.postedJobs.get(promptId);
    // Our update moved it: the copy is exact again. Otherwise someone else moved it; read it fresh later.
    if (marked && cached?.status === 'submitted') Object.assign(cached, { status: 'running', startedAt });
    else this.postedJobs.delete(promptId);
  }

  /**
   * The handler of a "done" event takes the prompt's posted job, if it can be trusted: only a copy
   * our own update confirmed (submitted, then perhaps running); anything else must be read fresh.
   */
  takeDone(promptId: string): ComfyUiJob | undefined {
    this.reportedDone.delete(promptId);
    const cached = this.postedJobs.get(promptId);
    this.postedJobs.delete(promptId);
    return cached?.status === 'running' || cached?.status === 'submitted' ? cached : undefined;
  }

  /** Forgets posted jobs no longer in flight (moved on by the poller, or by another worker). */
  prune(inFlightPromptIds: ReadonlySet<string>): void {
    for (const promptId of this.postedJobs.keys()) {
      if (!inFlightPromptIds.has(promptId) && !this.posting.has(promptId)) this.postedJobs.delete(promptId);
    }
  }

  /** Entries held now, per kind: all zero once every prompt is handled. */
  size(): { posting: number; promptWork: number; postedJobs: number; reportedDone: number } {
    return { posting: this.posting.size, promptWork: this.promptWork.size, postedJobs: this.postedJobs.size, reportedDone: this.reportedDone.size };
  }
}
