import { listRunIdsOfKind } from '@kiln/pipeline';
import type { ComfyUiEventStream } from '../client/event-stream';
import { createNextJob, type RouteJob } from '../commands/create-next-job';
import type { JobCommandDeps } from '../commands/job-command-deps';
import { pollJobStatus, type PollJobStatusOptions } from '../commands/poll-job-status';
import { processJobResult } from '../commands/process-job-result';
import { fail, submitJob, type SubmitJobOptions } from '../commands/submit-job';
import { UploadOnce } from '../commands/upload-once';
import type { ComfyUiJob } from '../jobs/comfyui-job.entity';
import { claimDuePendingJobs, findInFlightJobs, findUnprocessedJobs, patchJob, readSubmitterSnapshot, sampleDuePendingByKey } from '../jobs/job-ledger';
import { ServerCatalogues } from '../preflight/server-catalogues';
import { CapabilityRouter } from './capability-router';
import { countPendingJobs } from '../jobs/sql/count-pending-jobs';
import { releaseAllLeases } from '../jobs/sql/release-all-leases';
import type { EngineMetrics } from './engine-metrics';
import { followPromptEvents } from './follow-prompt-events';
import type { JobEngineEvent } from './job-engine-events';
import { PeriodicLoop } from './periodic-loop';
import { PromptTracker } from './prompt-tracker';
import { resolveEngineOptions, type JobEngineOptions, type ResolvedEngineOptions } from './resolve-engine-options';
import { summarizeRun, type RunSummary } from './run-summary';
import { ServerPool, takeSlot } from './server-pool';
import { SettledRuns } from './settled-runs';
import { SocketImageCollector } from './socket-images';

/**
 * The job engine: a submitter loop (CreateNextJob → SubmitJob, filling every server up to its
 * in-flight cap), a poller loop (PollJobStatus → ProcessJobResult for every job in flight), and
 * WebSocket listeners that move jobs on as soon as ComfyUI reports. All state lives in the database:
 * a restarted engine carries on where the last one stopped.
 */
export class JobEngine {
  readonly workerId: string;
  readonly metrics: EngineMetrics;
  private readonly options: ResolvedEngineOptions;
  private readonly pool: ServerPool;
  private readonly router: CapabilityRouter;
  private readonly deps: JobCommandDeps;
  private readonly submitter: PeriodicLoop;
  private readonly poller: PeriodicLoop;
  private readonly prompts = new PromptTracker();
  private readonly socketImages = new SocketImageCollector();
  private readonly settledRuns: SettledRuns;
  private readonly streams: ComfyUiEventStream[] = [];
  private stopping = false;
  /** Aborted by stop(): a download in progress ends at once instead of holding the shutdown. */
  private stopController = new AbortController();

  constructor(options: JobEngineOptions) {
    this.options = resolveEngineOptions(options);
    const { dataSource, logger } = this.options;
    this.workerId = this.options.workerId;
    this.metrics = this.options.metrics;
    this.pool = new ServerPool(this.options.servers, this.options.client, this.options.maxInFlightPerServer);
    this.router = new CapabilityRouter(
      this.pool.servers,
      this.options.catalogues ?? new ServerCatalogues((server) => this.pool.clientFor(server)),
      (server, error) => logger.warn('cannot read the node catalogue of a ComfyUI server yet: it takes no work until it answers', { server, error: (error as Error).message }),
      () => this.submitter.wake(),
    );
    this.deps = {
      dataSource,
      clientFor: (server) => this.pool.clientFor(server),
      logger,
      retry: this.options.retry,
      workerId: this.workerId,
      leaseMs: this.options.leaseMs,
      emit: (event) => this.emit(event),
      metrics: this.metrics,
      writeFile: this.options.writeFile,
      onFilesWritten: this.options.onFilesWritten,
      catalogueStale: (server) => this.router.invalidate(server),
      uploads: new UploadOnce(),
      ...(this.options.useEvents ? { socketImages: this.socketImages } : {}),
    };
    this.submitter = new PeriodicLoop({ name: 'submitter', intervalMs: this.options.submitIntervalMs, tick: () => this.submitTick(), logger });
    this.poller = new PeriodicLoop({ name: 'poller', intervalMs: this.options.pollIntervalMs, tick: () => this.pollTick(), logger });
    this.settledRuns = new SettledRuns(
      (runId) => summarizeRun(dataSource, runId),
      () => this.submitter.wake(),
    );
  }

  /** Starts the loops (and the event streams); jobs left in flight by an earlier process are picked up. */
  async start(): Promise<void> {
    this.stopping = false;
    this.stopController = new AbortController();
    this.deps.signal = this.stopController.signal;
    this.prompts.open();
    if (this.options.exclusive) await releaseAllLeases(this.options.dataSource.manager);
    this.router.refreshInBackground();
    if (this.options.useEvents) {
      for (const server of this.pool.servers) this.streams.push(this.listen(server));
    }
    this.poller.start();
    this.submitter.start();
    this.options.logger.info('job engine started', {
      workerId: this.workerId,
      servers: this.pool.servers,
      maxInFlightPerServer: this.pool.maxInFlightPerServer,
      runId: this.options.runId,
    });
  }

  /** Stops claiming work, lets the job being written finish, and closes the sockets. */
  async stop(): Promise<void> {
    this.stopping = true;
    this.stopController.abort();
    const eventsHandled = this.prompts.close();
    await Promise.all([this.submitter.stop(), this.poller.stop()]);
    await Promise.all(this.streams.splice(0).map((s) => s.close()));
    await eventsHandled;
    this.options.logger.info('job engine stopped', { workerId: this.workerId });
  }

  /** Runs the submitter now (e.g. after a person selected candidates). */
  wake(): void {
    this.submitter.wake();
    this.poller.wake();
  }

  /** Resolves once the run has nothing left to select and no job pending, in flight or unprocessed. */
  whenRunSettled(runId: string): Promise<RunSummary> {
    const settled = this.settledRuns.wait(runId);
    this.poller.wake();
    return settled;
  }

  private async submitTick(): Promise<void> {
    const { dataSource, runId, runKind, defaultTimeoutSeconds } = this.options;
    const runIds = runKind ? await listRunIdsOfKind(dataSource.manager, runKind) : undefined;
    const snapshot = await readSubmitterSnapshot(dataSource.manager, this.workerId, runId, runIds);
    const free = this.pool.freeSlotsGiven(snapshot.inFlightByServer);
    if (!hasFreeSlot(free)) return;
    this.router.refreshInBackground();

    // Retries, lost prompts and jobs waiting for a capable server first: they were promised earlier than new work.
    const submissions: Array<Promise<unknown>> = snapshot.duePending ? await this.submitDue(free, runIds) : [];
    while (hasFreeSlot(free) && !this.stopping) {
      const created = await createNextJob(this.route(free), this.deps, { runId, runKind, defaultTimeoutSeconds });
      if (created.kind === 'no_work' || created.kind === 'deferred') break;
      if (created.kind === 'created' && created.job.server) submissions.push(this.post(created.job, created.job.server, { neverPosted: true }));
    }
    await Promise.all(submissions);
  }

  /** A new job goes to the capable server with the most free slots; it waits when only busy ones can run it. */
  private route(free: Map<string, number>): RouteJob {
    return (key, payload) => {
      const capability = this.router.capabilityOf(key, payload);
      if (capability.kind === 'impossible') return { kind: 'impossible', message: capability.message };
      if (capability.kind === 'unknown') return { kind: 'defer' };
      const server = takeSlot(free, capability.servers);
      return server ? { kind: 'server', server } : { kind: 'wait' };
    };
  }

  /**
   * Claims due pending jobs that a server with a free slot can run (one preflight per step and kind),
   * fails those no server can run, and posts the rest; jobs only busy servers can run stay waiting.
   */
  private async submitDue(free: Map<string, number>, runIds: readonly string[] | undefined): Promise<Array<Promise<unknown>>> {
    const { dataSource, runId, leaseMs } = this.options;
    const manager = dataSource.manager;
    const capableOf = new Map<string, string[]>();
    for (const { key, job } of await sampleDuePendingByKey(manager, this.workerId, runId, runIds)) {
      const capability = this.router.capabilityOf(key, job.jobPayload);
      if (capability.kind === 'impossible') {
        for (const doomed of await claimDuePendingJobs(manager, this.workerId, 1000, leaseMs, runId, runIds, [key])) {
          await fail(doomed, null, `${doomed.jobPayload.label}: ${capability.message}`, 'unrunnable', this.deps);
        }
      } else if (capability.kind === 'capable' && capability.servers.some((s) => (free.get(s) ?? 0) > 0)) {
        capableOf.set(key, capability.servers);
      }
    }
    // Claim per set of capable servers, up to their free slots: one claim for the whole pool could take
    // only jobs for one kind of server and leave another kind idle until the next tick.
    const groups = new Map<string, { servers: string[]; keys: string[] }>();
    for (const [key, servers] of capableOf) {
      const id = servers.join('\n');
      const group = groups.get(id) ?? { servers, keys: [] };
      group.keys.push(key);
      groups.set(id, group);
    }
    const submissions: Array<Promise<unknown>> = [];
    for (const { servers, keys } of groups.values()) {
      const slots = servers.reduce((sum, s) => sum + (free.get(s) ?? 0), 0);
      for (const job of await claimDuePendingJobs(manager, this.workerId, slots, leaseMs, runId, runIds, keys)) {
        const server = takeSlot(free, servers);
        if (server) submissions.push(this.post(job, server));
        else await patchJob(manager, job, { leaseOwner: null, leaseExpiresAt: null });
      }
    }
    return submissions;
  }

  private post(job: ComfyUiJob, server: string, options: SubmitJobOptions = {}): Promise<unknown> {
    this.socketImages.expect(job.promptId, server, (job.jobPayload.outputs ?? []).filter((node) => node.socket).map((node) => node.id));
    return this.prompts.trackPost(job.promptId, submitJob(job, server, this.deps, options));
  }

  private async pollTick(): Promise<void> {
    const manager = this.options.dataSource.manager;
    const settledSoFar = this.socketImages.mark();
    const inFlight = await findInFlightJobs(manager, this.options.runId);
    this.prompts.prune(new Set(inFlight.map((job) => job.promptId)));
    for (const job of inFlight) {
      if (this.stopping) return;
      await this.advance(job);
    }
    const unprocessed = await findUnprocessedJobs(manager, this.options.runId);
    this.socketImages.prune(new Set([...inFlight, ...unprocessed].map((job) => job.promptId)), settledSoFar);
    for (const job of unprocessed) {
      if (this.stopping) return;
      await processJobResult(job, this.deps);
    }
    await this.refreshGauges();
    await this.settledRuns.check();
  }

  /** Polls one job and, when it completed, brings its image home. */
  private async advance(job: ComfyUiJob, options: PollJobStatusOptions = {}): Promise<void> {
    const polled = await pollJobStatus(job, this.deps, options);
    if (polled.needsProcessing) await processJobResult(polled.job, this.deps, { leaseHeld: polled.leaseHeld });
    if (polled.state !== 'queued' && polled.state !== 'running' && polled.state !== 'skipped') this.submitter.wake();
  }

  private listen(server: string): ComfyUiEventStream {
    const stream = this.pool.clientFor(server).openEvents();
    this.socketImages.follow(stream, server);
    return followPromptEvents(stream, {
      server,
      prompts: this.prompts,
      deps: this.deps,
      finish: async (job) => {
        await this.advance(job, { reportedDone: true });
        await this.settledRuns.check();
      },
      recheck: () => this.poller.wake(),
      reconnected: () => this.router.invalidate(server),
    });
  }

  private async refreshGauges(): Promise<void> {
    const manager = this.options.dataSource.manager;
    const free = await this.pool.freeSlots(manager);
    for (const [server, slots] of free) this.metrics.inFlight.set({ server }, this.pool.maxInFlightPerServer - slots);
    this.metrics.queueDepth.set(await countPendingJobs(manager));
  }

  private emit(event: JobEngineEvent): void {
    try {
      this.options.onEvent?.(event);
    } catch (error) {
      this.options.logger.error('job event listener failed', { event: event.type, error: (error as Error).message });
    }
    if (event.type === 'job_completed' || event.type === 'job_failed') this.submitter.wake();
  }
}

function hasFreeSlot(free: ReadonlyMap<string, number>): boolean {
  for (const slots of free.values()) if (slots > 0) return true;
  return false;
}
