import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import { buildJobPayload, selectNextJob, type SelectNextJobResult } from '@kiln/job-orchestration';
import type { DataSource, EntityManager } from 'typeorm';
import { createLogger, transports, type Logger } from 'winston';
import type { ComfyUiClientOptions } from '../client/options';
import type { ComfyUiEventStream } from '../client/event-stream';
import type { JobCommandDeps } from '../commands/job-command-deps';
import { markPromptRunning, pollJobStatus, type PollJobStatusOptions } from '../commands/poll-job-status';
import { processJobResult } from '../commands/process-job-result';
import { submitJob, type SubmitJobOptions } from '../commands/submit-job';
import { ComfyUiJob } from '../jobs/comfyui-job.entity';
import { claimDuePendingJobs, createPendingJob, findInFlightJobs, findUnprocessedJobs, readSubmitterSnapshot, transitionJob } from '../jobs/job-ledger';
import { slotsHeldByOpenJobs } from '../jobs/job-slots';
import { EngineMetrics } from './engine-metrics';
import type { JobEngineEvent } from './job-engine-events';
import { PeriodicLoop } from './periodic-loop';
import { summarizeRun, type RunSummary } from './run-summary';
import { ServerPool, takeSlot } from './server-pool';

/** Input options of {@link JobEngine}; every duration in milliseconds. */
export interface JobEngineOptions {
  dataSource: DataSource;
  /** ComfyUI base URLs; several make a pool. */
  servers: string[];
  /** Client settings shared by every server (headers, request timeout, retries…). */
  client?: Omit<ComfyUiClientOptions, 'baseUrl'>;
  /** Prompts kept queued per server (default 2: one running, one waiting, so the GPU never idles). */
  maxInFlightPerServer?: number;
  /** Safety-net poll of in-flight jobs (COMFYUI_POLL_INTERVAL; default 5000). */
  pollIntervalMs?: number;
  /** Idle submit tick (COMFYUI_SUBMIT_INTERVAL; default 10000). A finished job triggers one at once. */
  submitIntervalMs?: number;
  /** Seconds a job may take on its server when its step sets no timeout (COMFYUI_TIMEOUT). */
  defaultTimeoutSeconds: number;
  /** Attempts after the first (COMFYUI_MAX_RETRIES; default 3). */
  maxRetries?: number;
  retryBaseDelayMs?: number;
  retryMaxDelayMs?: number;
  /** Follow jobs through ComfyUI's WebSocket events (default true); polling stays as the safety net. */
  useEvents?: boolean;
  /** Work on this run only (the CLI); default: every active run (the worker). */
  runId?: string;
  /** Work on runs of this kind only: the worker takes `pipeline` runs, batches belong to the CLI driving them. */
  runKind?: 'batch' | 'pipeline';
  /** This process's identity for leases (default host:pid:random). */
  workerId?: string;
  /** How long a claimed job stays reserved for this worker (default 60000). */
  leaseMs?: number;
  /**
   * This engine is the only one on the database (the embedded one, which a lock file keeps to one
   * process): leases left by a killed process are released at start instead of waiting them out.
   */
  exclusive?: boolean;
  logger?: Logger;
  metrics?: EngineMetrics;
  onEvent?: (event: JobEngineEvent) => void;
}

/**
 * The job engine: a submitter loop (SelectNextJob → BuildJobPayload → SubmitJob, filling every
 * server up to its in-flight cap), a poller loop (PollJobStatus → ProcessJobResult for every job in
 * flight), and WebSocket listeners that move jobs on as soon as ComfyUI reports. All state lives in
 * the database: a restarted engine carries on where the last one stopped.
 */
export class JobEngine {
  readonly workerId: string;
  readonly metrics: EngineMetrics;
  private readonly logger: Logger;
  private readonly pool: ServerPool;
  private readonly deps: JobCommandDeps;
  private readonly submitter: PeriodicLoop;
  private readonly poller: PeriodicLoop;
  private readonly streams: ComfyUiEventStream[] = [];
  /** Callers of whenRunSettled, with the check number current when they asked. */
  private readonly settledWaiters = new Map<string, Array<{ resolve: (summary: RunSummary) => void; askedAt: number }>>();
  private settleChecks = 0;
  /** Event handlers under way (e.g. writing an image): stop() waits for them like for the loops. */
  private readonly eventWork = new Set<Promise<void>>();
  private stopping = false;
  /**
   * Posts under way, by prompt id. A fast prompt's "done" event can arrive before its job is marked
   * submitted; the handler waits for the post instead of finding a pending job and dropping the event
   * (the bench saw such jobs wait for the next poll, 5 s, with 0 ms prompts).
   */
  private readonly posting = new Map<string, Promise<unknown>>();
  /**
   * The last event handler of each prompt. Handlers of one prompt run in order, each on a freshly
   * read job: with fast prompts `execution_start` and the "done" event arrive together, and two
   * handlers holding the same stale job made the completion lose its guarded update (running vs
   * submitted) and wait for the next poll.
   */
  private readonly promptWork = new Map<string, Promise<void>>();
  /**
   * Jobs this engine posted, by prompt id, until their "done" event: the handler starts from this
   * row instead of reading it again (one query per image). A stale copy is harmless, every update is
   * guarded by the status it saw. Pruned to the jobs in flight on each poll, so it cannot grow.
   */
  private readonly postedJobs = new Map<string, ComfyUiJob>();
  /** Prompts whose "done" event arrived and is not handled yet (emptied by its handler). */
  private readonly reportedDone = new Set<string>();

  constructor(private readonly options: JobEngineOptions) {
    if (options.servers.length === 0) throw new Error('JobEngine needs at least one ComfyUI server');
    this.workerId = options.workerId ?? `${hostname()}:${process.pid}:${randomUUID().slice(0, 8)}`;
    this.logger = options.logger ?? createLogger({ silent: true, transports: [new transports.Console()] });
    this.metrics = options.metrics ?? new EngineMetrics();
    this.pool = new ServerPool(options.servers, options.client ?? {}, options.maxInFlightPerServer ?? 2);
    this.deps = {
      dataSource: options.dataSource,
      clientFor: (server) => this.pool.clientFor(server),
      logger: this.logger,
      retry: {
        maxRetries: options.maxRetries ?? 3,
        baseDelayMs: options.retryBaseDelayMs ?? 2000,
        maxDelayMs: options.retryMaxDelayMs ?? 60_000,
      },
      workerId: this.workerId,
      leaseMs: options.leaseMs ?? 60_000,
      emit: (event) => this.emit(event),
      metrics: this.metrics,
    };
    this.submitter = new PeriodicLoop({ name: 'submitter', intervalMs: options.submitIntervalMs ?? 10_000, tick: () => this.submitTick(), logger: this.logger });
    this.poller = new PeriodicLoop({ name: 'poller', intervalMs: options.pollIntervalMs ?? 5000, tick: () => this.pollTick(), logger: this.logger });
  }

  /** Starts the loops (and the event streams); jobs left in flight by an earlier process are picked up. */
  async start(): Promise<void> {
    this.stopping = false;
    if (this.options.exclusive) {
      await this.options.dataSource.query(`UPDATE comfyui_jobs SET lease_owner = NULL, lease_expires_at = NULL WHERE lease_owner IS NOT NULL`);
    }
    if (this.options.useEvents !== false) {
      for (const server of this.pool.servers) this.streams.push(this.listen(server));
    }
    this.poller.start();
    this.submitter.start();
    this.logger.info('job engine started', {
      workerId: this.workerId,
      servers: this.pool.servers,
      maxInFlightPerServer: this.pool.maxInFlightPerServer,
      runId: this.options.runId,
    });
  }

  /** Stops claiming work, lets the job being written finish, and closes the sockets. */
  async stop(): Promise<void> {
    this.stopping = true;
    await Promise.all([this.submitter.stop(), this.poller.stop()]);
    await Promise.all(this.streams.splice(0).map((s) => s.close()));
    await Promise.all([...this.eventWork]);
    this.postedJobs.clear();
    this.reportedDone.clear();
    this.logger.info('job engine stopped', { workerId: this.workerId });
  }

  /** Runs the submitter now (e.g. after a person selected candidates). */
  wake(): void {
    this.submitter.wake();
    this.poller.wake();
  }

  /** Resolves once the run has nothing left to select and no job pending, in flight or unprocessed. */
  whenRunSettled(runId: string): Promise<RunSummary> {
    return new Promise((resolve) => {
      const waiters = this.settledWaiters.get(runId) ?? [];
      waiters.push({ resolve, askedAt: this.settleChecks });
      this.settledWaiters.set(runId, waiters);
      this.poller.wake();
    });
  }

  private async submitTick(): Promise<void> {
    const manager = this.options.dataSource.manager;
    const snapshot = await readSubmitterSnapshot(manager, this.workerId, this.options.runId, this.options.runKind);
    const free = this.pool.freeSlotsGiven(snapshot.inFlightByServer);
    let capacity = [...free.values()].reduce((a, b) => a + b, 0);
    if (capacity === 0) return;

    // Retries and lost prompts first: they were promised earlier than new work.
    const due = snapshot.duePending ? await claimDuePendingJobs(manager, this.workerId, capacity, this.deps.leaseMs, this.options.runId, this.options.runKind) : [];
    const submissions: Array<Promise<unknown>> = [];
    for (const job of due) {
      const server = takeSlot(free);
      if (!server) break;
      capacity--;
      submissions.push(this.post(job, server));
    }
    while (capacity > 0 && !this.stopping) {
      const server = takeSlot(free);
      if (!server) break;
      const job = await this.createNextJob(server);
      if (!job) break;
      capacity--;
      if (job.status === 'pending') submissions.push(this.post(job, server, { neverPosted: true }));
    }
    await Promise.all(submissions);
  }

  private post(job: ComfyUiJob, server: string, options: SubmitJobOptions = {}): Promise<unknown> {
    const posted = submitJob(job, server, this.deps, options)
      .then((result) => {
        if (result.outcome === 'submitted' && !this.stopping) this.postedJobs.set(job.promptId, result.job);
        return result;
      })
      .finally(() => this.posting.delete(job.promptId));
    this.posting.set(job.promptId, posted);
    return posted;
  }

  /**
   * One transaction: select the next slot, build its workflow, insert the job (leased to us, its
   * server recorded: SubmitJob then needs no update before posting).
   */
  private createNextJob(server: string): Promise<ComfyUiJob | undefined> {
    return this.options.dataSource.transaction(async (tx) => {
      const selection = await selectNextJob(tx, { jobSlots: slotsHeldByOpenJobs, runId: this.options.runId, runKind: this.options.runKind });
      if (selection.kind === 'no_work') return undefined;
      return this.insertJob(tx, selection, server);
    });
  }

  private async insertJob(tx: EntityManager, selection: Exclude<SelectNextJobResult, { kind: 'no_work' }>, server: string): Promise<ComfyUiJob> {
    const params = (selection.step.params ?? {}) as Record<string, unknown>;
    const label = labelOf(selection);
    const base = {
      pipelineRunId: selection.run.id,
      pipelineStepId: selection.step.id,
      parentCandidateId: selection.kind === 'child_generation' ? selection.parent.id : null,
      slotIndex: selection.index,
      leaseOwner: this.workerId,
      leaseMs: this.deps.leaseMs,
    };
    try {
      const payload = buildJobPayload({
        kind: selection.kind,
        run: selection.run,
        step: selection.step,
        parent: selection.kind === 'child_generation' ? selection.parent : null,
        seed: selection.seed,
        jobKey: selection.jobKey,
      });
      return await createPendingJob(tx, {
        ...base,
        server,
        payload: {
          workflow: payload.workflow,
          uploads: payload.uploads.map((u) => ({ localPath: u.localPath, uploadName: u.uploadName, nodeId: u.target.nodeId, input: u.target.input })),
          outputName: selection.outputName,
          targetFolder: selection.run.targetFolder,
          seed: selection.seed,
          label,
          timeoutSeconds: payload.timeoutSeconds ?? this.options.defaultTimeoutSeconds,
          overwrite: selection.step.overwrite,
          summary: summaryOf(params, selection),
        },
      });
    } catch (error) {
      // A step that cannot be built fails its slot (visible, retryable) instead of blocking the loop.
      const job = await createPendingJob(tx, {
        ...base,
        payload: { workflow: {}, uploads: [], outputName: selection.outputName, targetFolder: selection.run.targetFolder, seed: selection.seed, label, timeoutSeconds: 0, overwrite: false, summary: {} },
      });
      const message = `${label}: cannot build its workflow: ${(error as Error).message}`;
      await transitionJob(tx, job, 'failed', { errorMessage: message, completedAt: new Date(), leaseOwner: null, leaseExpiresAt: null });
      this.logger.error('job failed', { jobId: job.id, label, error: message });
      this.emit({ type: 'job_failed', jobId: job.id, runId: job.pipelineRunId, label, promptId: job.promptId, server: null, error: message });
      return job;
    }
  }

  private async pollTick(): Promise<void> {
    const manager = this.options.dataSource.manager;
    const inFlight = await findInFlightJobs(manager, this.options.runId);
    const promptIds = new Set(inFlight.map((job) => job.promptId));
    for (const promptId of this.postedJobs.keys()) if (!promptIds.has(promptId) && !this.posting.has(promptId)) this.postedJobs.delete(promptId);
    for (const job of inFlight) {
      if (this.stopping) return;
      await this.advance(job);
    }
    for (const job of await findUnprocessedJobs(manager, this.options.runId)) {
      if (this.stopping) return;
      await processJobResult(job, this.deps);
    }
    await this.refreshGauges(manager);
    await this.resolveSettledRuns();
  }

  /** Polls one job and, when it completed, brings its image home. */
  private async advance(job: ComfyUiJob, options: PollJobStatusOptions = {}): Promise<void> {
    const polled = await pollJobStatus(job, this.deps, options);
    if (polled.needsProcessing) await processJobResult(polled.job, this.deps, { leaseHeld: polled.leaseHeld });
    if (polled.state !== 'queued' && polled.state !== 'running' && polled.state !== 'skipped') this.submitter.wake();
  }

  private listen(server: string): ComfyUiEventStream {
    const stream = this.pool.clientFor(server).openEvents();
    const byPrompt = (promptId: string | undefined, action: (promptId: string) => Promise<unknown>): Promise<void> => {
      if (!promptId || this.stopping) return Promise.resolve();
      const previous = this.promptWork.get(promptId);
      const work = (async () => {
        try {
          await previous;
          await this.posting.get(promptId)?.catch(() => undefined);
          await action(promptId);
        } catch (error) {
          this.logger.error('handling a ComfyUI event failed', { server, promptId, error: (error as Error).message });
        }
      })();
      this.eventWork.add(work);
      this.promptWork.set(promptId, work);
      void work.finally(() => {
        this.eventWork.delete(work);
        if (this.promptWork.get(promptId) === work) this.promptWork.delete(promptId);
      });
      return work;
    };
    stream.on('execution_start', (e) =>
      void byPrompt(e.data.prompt_id, async (promptId) => {
        // A prompt that is already reported done (fast or cached by ComfyUI) goes straight to
        // completed: marking it running first would be one more write per image for nothing.
        if (this.reportedDone.has(promptId)) return;
        const now = new Date();
        const cached = this.postedJobs.get(promptId);
        const marked = await markPromptRunning(promptId, this.deps, now);
        // Our update moved it: the copy is exact again. Otherwise someone else moved it; read it fresh later.
        if (marked && cached?.status === 'submitted') Object.assign(cached, { status: 'running', startedAt: now });
        else this.postedJobs.delete(promptId);
      }),
    );
    // `executing {node: null}` comes after ComfyUI wrote the history: the reliable "done" signal.
    stream.on('executing', (e) => {
      if (e.data.node !== null || !e.data.prompt_id) return;
      const promptId = e.data.prompt_id;
      this.reportedDone.add(promptId);
      void byPrompt(promptId, async () => {
        this.reportedDone.delete(promptId);
        const cached = this.postedJobs.get(promptId);
        this.postedJobs.delete(promptId);
        // Only a copy our own update confirmed (submitted, then perhaps running) is trusted; anything else is read fresh.
        const trusted = cached?.status === 'running' || cached?.status === 'submitted';
        const job = trusted ? cached : await this.options.dataSource.getRepository(ComfyUiJob).findOneBy({ promptId: promptId });
        if (!job) return;
        await this.advance(job, { reportedDone: true });
        await this.resolveSettledRuns();
      });
    });
    // Events of a prompt that finished before the socket was up are lost (ComfyUI sends them to a
    // connected client only): a 1-image CLI run waited for the first poll (5 s). Look once it is up.
    stream.on('ready', () => this.poller.wake());
    stream.on('reconnected', (info) => {
      this.logger.warn('ComfyUI connection came back: re-checking its prompts', { server, downtimeMs: info.downtimeMs, sidChanged: info.sidChanged });
      this.poller.wake();
    });
    stream.on('error', (error) => this.logger.debug('ComfyUI event stream error', { server, error: error.message }));
    return stream;
  }

  private async refreshGauges(manager: EntityManager): Promise<void> {
    const free = await this.pool.freeSlots(manager);
    for (const [server, slots] of free) this.metrics.inFlight.set({ server }, this.pool.maxInFlightPerServer - slots);
    const [{ count }] = await manager.query(`SELECT count(*)::int AS count FROM comfyui_jobs WHERE status = 'pending'`);
    this.metrics.queueDepth.set(Number(count));
  }

  /**
   * Answers the waiters of settled runs. A check only answers callers who asked before it began:
   * checks run concurrently (poller and events), and a stale "settled" must not answer someone who
   * asked after new work appeared (e.g. candidates selected for children).
   */
  private async resolveSettledRuns(): Promise<void> {
    const check = ++this.settleChecks;
    for (const runId of [...this.settledWaiters.keys()]) {
      const summary = await summarizeRun(this.options.dataSource, runId);
      if (!summary.settled) {
        // No job open but work left: our own check held the step lock, so a submit tick running
        // meanwhile skipped the step and found nothing. Run it again rather than wait an interval.
        if (summary.open === 0) this.submitter.wake();
        continue;
      }
      const waiting = this.settledWaiters.get(runId) ?? [];
      const answered = waiting.filter((w) => w.askedAt < check);
      const rest = waiting.filter((w) => w.askedAt >= check);
      if (rest.length) this.settledWaiters.set(runId, rest);
      else this.settledWaiters.delete(runId);
      for (const waiter of answered) waiter.resolve(summary);
    }
  }

  private emit(event: JobEngineEvent): void {
    try {
      this.options.onEvent?.(event);
    } catch (error) {
      this.logger.error('job event listener failed', { event: event.type, error: (error as Error).message });
    }
    if (event.type === 'job_completed' || event.type === 'job_failed') this.submitter.wake();
  }
}

function labelOf(selection: Exclude<SelectNextJobResult, { kind: 'no_work' }>): string {
  const params = (selection.step.params ?? {}) as { displayName?: string };
  const name = params.displayName ?? selection.step.name;
  if (selection.kind === 'child_generation') return `${name} (child ${selection.index + 1} of ${selection.parent.id.slice(0, 8)})`;
  return selection.step.baseCount > 1 ? `${name} #${selection.index + 1}` : name;
}

function summaryOf(params: Record<string, unknown>, selection: Exclude<SelectNextJobResult, { kind: 'no_work' }>): Record<string, unknown> {
  const pick = ['prompt', 'negativePrompt', 'checkpoint', 'width', 'height', 'steps', 'cfg', 'sampler', 'scheduler', 'denoise'];
  const summary: Record<string, unknown> = { step: selection.step.name, index: selection.index, seedMode: selection.seedMode };
  for (const key of pick) if (params[key] !== undefined) summary[key] = params[key];
  return summary;
}
