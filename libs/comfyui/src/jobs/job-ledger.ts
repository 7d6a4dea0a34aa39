import { randomUUID } from 'node:crypto';
import { In, type EntityManager } from 'typeorm';
import { ComfyUiJob, type ComfyUiJobPayload, type ComfyUiJobStatus } from './comfyui-job.entity';
import { JobError } from './job-error';
import { IN_FLIGHT_JOB_SQL } from './job-status-sets';
import { canTransition } from './job-transitions';
import { affectedCount, returnedRows } from './sql-results';

export interface CreateJobInput {
  pipelineRunId: string;
  pipelineStepId: string;
  parentCandidateId: string | null;
  slotIndex: number;
  payload: ComfyUiJobPayload;
  /** Worker that will post it; the job is leased to it so no other worker claims it meanwhile. */
  leaseOwner?: string;
  leaseMs?: number;
  /** The server it will be posted to, recorded before the POST (see SubmitJob). */
  server?: string;
}

/**
 * Inserts a `pending` job with a prompt id of our own, so a later retry can ask the server about it.
 * Plain SQL (one per image): TypeORM's save cost more CPU than the round trip.
 */
export async function createPendingJob(manager: EntityManager, input: CreateJobInput): Promise<ComfyUiJob> {
  const promptId = randomUUID();
  const server = input.server ?? null;
  const leaseOwner = input.leaseOwner ?? null;
  const leaseExpiresAt = leaseOwner ? new Date(Date.now() + (input.leaseMs ?? 60_000)) : null;
  const rows: Array<{ id: string; created_at: Date; updated_at: Date }> = await manager.query(
    `INSERT INTO comfyui_jobs (pipeline_run_id, pipeline_step_id, parent_candidate_id, slot_index, job_payload, status, prompt_id, server, retry_count, lease_owner, lease_expires_at)
     VALUES ($1, $2, $3, $4, $5, 'pending', $6, $7, 0, $8, $9)
     RETURNING id, created_at, updated_at`,
    [input.pipelineRunId, input.pipelineStepId, input.parentCandidateId, input.slotIndex, JSON.stringify(input.payload), promptId, server, leaseOwner, leaseExpiresAt],
  );
  const [row] = rows;
  return Object.assign(new ComfyUiJob(), {
    id: row.id,
    pipelineRunId: input.pipelineRunId,
    pipelineStepId: input.pipelineStepId,
    parentCandidateId: input.parentCandidateId,
    slotIndex: input.slotIndex,
    jobPayload: input.payload,
    status: 'pending',
    promptId,
    server,
    retryCount: 0,
    nextAttemptAt: null,
    errorMessage: null,
    resultMetadata: null,
    candidateId: null,
    processedAt: null,
    submittedAt: null,
    startedAt: null,
    completedAt: null,
    leaseOwner,
    leaseExpiresAt,
    createdAt: new Date(row.created_at),
    updatedAt: new Date(row.updated_at),
  } satisfies ComfyUiJob);
}

export type JobPatch = Partial<
  Pick<
    ComfyUiJob,
    | 'server'
    | 'retryCount'
    | 'nextAttemptAt'
    | 'errorMessage'
    | 'resultMetadata'
    | 'candidateId'
    | 'processedAt'
    | 'submittedAt'
    | 'startedAt'
    | 'completedAt'
    | 'leaseOwner'
    | 'leaseExpiresAt'
  >
>;

/** What a status change may set besides the patchable fields: `failed → pending` gives the job a new prompt id. */
export type TransitionPatch = JobPatch & Partial<Pick<ComfyUiJob, 'promptId'>>;

/**
 * Moves a job from the status the caller saw to `to`, only if nobody moved it meanwhile.
 * Returns the updated job, or undefined when another worker (or an event) got there first.
 * An illegal move throws: it means the caller's logic is wrong, not that the world changed.
 */
export async function transitionJob(
  manager: EntityManager,
  job: ComfyUiJob,
  to: ComfyUiJobStatus,
  patch: TransitionPatch = {},
): Promise<ComfyUiJob | undefined> {
  if (!canTransition(job.status, to)) {
    throw new JobError('JOB_ILLEGAL_TRANSITION', `job ${job.id} cannot move from ${job.status} to ${to}`);
  }
  if (!(await updateGuarded(manager, job, { ...patch, status: to }))) return undefined;
  return Object.assign(job, patch, { status: to });
}

/** Changes fields without a status change, guarded by the status the caller saw. */
export async function patchJob(manager: EntityManager, job: ComfyUiJob, patch: JobPatch): Promise<boolean> {
  if (!(await updateGuarded(manager, job, patch))) return false;
  Object.assign(job, patch);
  return true;
}

/** Column of each field a patch may set. */
const patchColumns: Readonly<Record<keyof TransitionPatch | 'status', string>> = {
  status: 'status',
  promptId: 'prompt_id',
  server: 'server',
  retryCount: 'retry_count',
  nextAttemptAt: 'next_attempt_at',
  errorMessage: 'error_message',
  resultMetadata: 'result_metadata',
  candidateId: 'candidate_id',
  processedAt: 'processed_at',
  submittedAt: 'submitted_at',
  startedAt: 'started_at',
  completedAt: 'completed_at',
  leaseOwner: 'lease_owner',
  leaseExpiresAt: 'lease_expires_at',
};

/**
 * One UPDATE of the job's row, only while it still has the status the caller saw. Plain SQL: these
 * run several times per image, and TypeORM's update builder cost more CPU than the round trip.
 */
async function updateGuarded(manager: EntityManager, job: ComfyUiJob, patch: TransitionPatch & { status?: ComfyUiJobStatus }): Promise<boolean> {
  const params: unknown[] = [job.id, job.status];
  const sets: string[] = [];
  for (const [field, value] of Object.entries(patch)) {
    if (value === undefined) continue;
    const column = patchColumns[field as keyof typeof patchColumns];
    if (!column) throw new TypeError(`job field ${field} cannot be patched`);
    sets.push(`${column} = $${params.push(field === 'resultMetadata' && value !== null ? JSON.stringify(value) : value)}`);
  }
  const result: unknown = await manager.query(`UPDATE comfyui_jobs SET ${[...sets, 'updated_at = now()'].join(', ')} WHERE id = $1 AND status = $2`, params);
  return affectedCount(result) > 0;
}

/** @internal exported for its spec */
export async function getJob(manager: EntityManager, id: string): Promise<ComfyUiJob> {
  const job = await manager.getRepository(ComfyUiJob).findOneBy({ id });
  if (!job) throw new JobError('JOB_NOT_FOUND', `no job with id ${id}`);
  return job;
}

/** The jobs of these ids that exist (any order); the caller decides what a missing one means. */
export function findJobsByIds(manager: EntityManager, ids: readonly string[]): Promise<ComfyUiJob[]> {
  if (ids.length === 0) return Promise.resolve([]);
  return manager.getRepository(ComfyUiJob).findBy({ id: In([...new Set(ids)]) });
}

/** Jobs whose prompt is (or should be) on a server: submitted or running. */
export function findInFlightJobs(manager: EntityManager, runId?: string): Promise<ComfyUiJob[]> {
  const query = manager
    .getRepository(ComfyUiJob)
    .createQueryBuilder('job')
    .where(IN_FLIGHT_JOB_SQL)
    .orderBy('job.submittedAt', 'ASC');
  if (runId) query.andWhere('job.pipelineRunId = :runId', { runId });
  return query.getMany();
}

/**
 * Completed on the server but not yet on disk and in the candidates table (e.g. after a crash), and
 * due: a download that failed for a passing reason waits for its next attempt.
 */
export function findUnprocessedJobs(manager: EntityManager, runId?: string): Promise<ComfyUiJob[]> {
  const query = manager
    .getRepository(ComfyUiJob)
    .createQueryBuilder('job')
    .where(`job.status = 'completed' AND job.processedAt IS NULL AND (job.nextAttemptAt IS NULL OR job.nextAttemptAt <= now())`)
    .orderBy('job.completedAt', 'ASC');
  if (runId) query.andWhere('job.pipelineRunId = :runId', { runId });
  return query.getMany();
}

/**
 * Leases pending jobs whose next attempt is due and whose lease (if any) has expired, skipping rows
 * another worker is locking right now. The lease stops a second worker from posting the same job.
 */
export async function claimDuePendingJobs(
  manager: EntityManager,
  owner: string,
  limit: number,
  leaseMs: number,
  runId?: string,
  runIds?: readonly string[],
  /** Only jobs of these routing keys (`capabilityKey`: step and kind), e.g. those a free server can run. */
  keys?: readonly string[],
): Promise<ComfyUiJob[]> {
  if (limit <= 0) return [];
  const params: unknown[] = [owner, limit, new Date(Date.now() + leaseMs)];
  const keyFilter = keys ? ` AND ${ROUTING_KEY_SQL} = ANY($${params.push(keys)}::text[])` : '';
  const result: unknown = await manager.query(
    `UPDATE comfyui_jobs SET lease_owner = $1, lease_expires_at = $3, updated_at = now()
      WHERE id IN (
        SELECT id FROM comfyui_jobs WHERE ${duePendingSql(params, runId, runIds)}${keyFilter}
         ORDER BY created_at LIMIT $2
         FOR UPDATE SKIP LOCKED)
      RETURNING id`,
    params,
  );
  const ids = returnedRows<{ id: string }>(result).map((row) => row.id);
  if (ids.length === 0) return [];
  return manager.getRepository(ComfyUiJob).find({ where: { id: In(ids) }, order: { createdAt: 'ASC' } });
}

// A job's routing key, as `capabilityKey` builds it: jobs of one step and kind need the same models.
const ROUTING_KEY_SQL = `(pipeline_step_id::text || CASE WHEN parent_candidate_id IS NULL THEN ':base' ELSE ':child' END)`;

/**
 * One due pending job per routing key (the oldest), so the submitter can preflight each kind of
 * waiting work once and claim only what a free server can run.
 */
export async function sampleDuePendingByKey(
  manager: EntityManager,
  owner: string,
  runId?: string,
  runIds?: readonly string[],
): Promise<Array<{ key: string; job: ComfyUiJob }>> {
  const params: unknown[] = [owner];
  const rows: Array<{ key: string; id: string }> = await manager.query(
    `SELECT DISTINCT ON (${ROUTING_KEY_SQL}) ${ROUTING_KEY_SQL} AS key, id FROM comfyui_jobs
      WHERE ${duePendingSql(params, runId, runIds)} ORDER BY ${ROUTING_KEY_SQL}, created_at`,
    params,
  );
  if (rows.length === 0) return [];
  const jobs = await manager.getRepository(ComfyUiJob).find({ where: { id: In(rows.map((r) => r.id)) } });
  const byId = new Map(jobs.map((job) => [job.id, job]));
  return rows.flatMap((row) => {
    const job = byId.get(row.id);
    return job ? [{ key: row.key, job }] : [];
  });
}

/**
 * Pending jobs whose next attempt is due and whose lease (if any) is `$1`'s or has expired, in the
 * run or runs asked for (`runIds`: the runs of one kind, from the pipeline pack). Pushes its own parameters after `$1` (the owner).
 */
function duePendingSql(params: unknown[], runId?: string, runIds?: readonly string[]): string {
  const filters = [
    `status = 'pending'`,
    '(next_attempt_at IS NULL OR next_attempt_at <= now())',
    '(lease_owner IS NULL OR lease_owner = $1 OR lease_expires_at < now())',
  ];
  if (runId) filters.push(`pipeline_run_id = $${params.push(runId)}`);
  if (runIds) filters.push(`pipeline_run_id = ANY($${params.push(runIds)}::uuid[])`);
  return filters.join(' AND ');
}

/** Prompts in flight per server: (server, count, due = NULL) rows, shaped to sit in a UNION with the due check. */
const IN_FLIGHT_BY_SERVER_SQL = `SELECT server, count(*)::int AS count, NULL::boolean AS due FROM comfyui_jobs
  WHERE ${IN_FLIGHT_JOB_SQL} AND server IS NOT NULL GROUP BY server`;

/** What a submit tick needs to know first: prompts in flight per server, and whether a claim would find anything. */
export interface SubmitterSnapshot {
  inFlightByServer: Map<string, number>;
  /** Some pending job is due (a retry, a lost prompt, a job left by a dead worker): claim before creating new ones. */
  duePending: boolean;
}

/**
 * One statement per submit tick: the claim itself ({@link claimDuePendingJobs}) runs only when this
 * says something is due, which is rare: a tick runs per finished image, and both statements on every tick would double its cost.
 */
export async function readSubmitterSnapshot(manager: EntityManager, owner: string, runId?: string, runIds?: readonly string[]): Promise<SubmitterSnapshot> {
  const params: unknown[] = [owner];
  const rows: Array<{ server: string | null; count: number | null; due: boolean | null }> = await manager.query(
    `${IN_FLIGHT_BY_SERVER_SQL}
     UNION ALL
     SELECT NULL, NULL, EXISTS (SELECT 1 FROM comfyui_jobs WHERE ${duePendingSql(params, runId, runIds)})`,
    params,
  );
  const inFlightByServer = new Map<string, number>();
  let duePending = false;
  for (const row of rows) {
    if (row.server !== null) inFlightByServer.set(row.server, Number(row.count));
    else duePending = row.due === true;
  }
  return { inFlightByServer, duePending };
}

/**
 * Takes the lease of a completed, not yet processed job so only one worker (or one of a worker's
 * event handler and poller) downloads it. True when this worker now holds it.
 */
export async function leaseForProcessing(manager: EntityManager, job: ComfyUiJob, owner: string, leaseMs: number): Promise<boolean> {
  const leaseExpiresAt = new Date(Date.now() + leaseMs);
  const result = await manager
    .getRepository(ComfyUiJob)
    .createQueryBuilder()
    .update()
    .set({ leaseOwner: owner, leaseExpiresAt })
    .where(`id = :id AND status = 'completed' AND processed_at IS NULL`, { id: job.id })
    .andWhere('(lease_owner IS NULL OR lease_expires_at < now())')
    .execute();
  if (!result.affected) return false;
  Object.assign(job, { leaseOwner: owner, leaseExpiresAt });
  return true;
}

/** Prompts in flight per server, for spreading work over a pool. */
export async function countInFlightByServer(manager: EntityManager): Promise<Map<string, number>> {
  const rows: Array<{ server: string; count: number }> = await manager.query(IN_FLIGHT_BY_SERVER_SQL);
  return new Map(rows.map((r) => [r.server, Number(r.count)]));
}
