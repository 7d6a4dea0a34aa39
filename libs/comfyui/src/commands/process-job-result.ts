import { readFile, rm, stat } from 'node:fs/promises';
import { recordCandidate } from '@kiln/pipeline';
import { ComfyUiError } from '../errors';
import { backoffDelay } from '../client/backoff';
import type { ComfyUiJob } from '../jobs/comfyui-job.entity';
import { patchJob, leaseForProcessing } from '../jobs/job-ledger';
import { isCompleteImage } from '../files/image-signature';
import { safeOutputPath } from '../files/safe-output-path';
import { fileSha256, partPath, sha256, writeFileAtomically } from '../files/write-file-atomically';
import { describeDiskError, isPassingDiskError } from '../files/disk-errors';
import { sidecarPath, type SidecarMetadata } from '../files/sidecar';
import { storeWorkflow } from '../files/store-workflow';
import { jobOutputFiles, type JobOutputFile } from './job-output-files';
import type { JobCommandDeps } from './job-command-deps';
import { fail } from './submit-job';

/** How long to wait for the socket's "prompt done" when the history said done first. */
const SOCKET_DONE_WAIT_MS = 10_000;

export type ProcessJobResultOutcome =
  | { outcome: 'recorded'; job: ComfyUiJob; imagePath: string; candidateId: string; sha256: string }
  /** The download failed for a reason that passes (server restarting, unreachable): it is tried again once due. */
  | { outcome: 'retry_scheduled'; job: ComfyUiJob; error: string }
  | { outcome: 'failed'; job: ComfyUiJob; error: string }
  /** Already processed, or another worker holds it right now. */
  | { outcome: 'skipped'; job: ComfyUiJob };

export interface ProcessJobResultOptions {
  /** The caller took the processing lease already (PollJobStatus's completing update did). */
  leaseHeld?: boolean;
}

/**
 * Brings a completed job's image home: download, check it is a whole image, write sidecar and image
 * atomically under the run's folder, then record the candidate and mark the job processed. Safe to
 * run again after a crash at any point: the candidate is keyed by the job id, an identical file
 * already in place is kept, and temp files have a fixed name per job.
 */
export async function processJobResult(job: ComfyUiJob, deps: JobCommandDeps, options: ProcessJobResultOptions = {}): Promise<ProcessJobResultOutcome> {
  if (job.status !== 'completed' || job.processedAt) return { outcome: 'skipped', job };
  const manager = deps.dataSource.manager;
  if (!options.leaseHeld && !(await leaseForProcessing(manager, job, deps.workerId, deps.leaseMs))) return { outcome: 'skipped', job };
  const server = job.server as string;
  const label = job.jobPayload.label;

  let socketImages: Map<string, Buffer[]> | undefined;
  if (job.jobPayload.outputs?.some((node) => node.socket)) {
    const taken = deps.socketImages
      ? await deps.socketImages.take(job.promptId, SOCKET_DONE_WAIT_MS)
      : { problem: 'its WebSocket images cannot be collected without the event stream (useEvents is off)' };
    if ('problem' in taken) return failed(job, `${label}: ComfyUI finished prompt ${job.promptId} on ${server} but ${taken.problem}; retry with: kiln jobs retry ${job.id}`, 'no_image', deps);
    socketImages = taken.images;
  }
  const picked = jobOutputFiles(job, socketImages);
  if ('problem' in picked) {
    return failed(job, `${label}: ComfyUI finished prompt ${job.promptId} on ${server} but ${picked.problem}`, 'no_image', deps);
  }
  const files: Array<JobOutputFile & { target: string; bytes: Buffer; digest: string; existing?: string }> = [];
  // The item's timeout bounds every download of the job together, and the engine's stop ends them at once.
  const timeoutMs = job.jobPayload.timeoutSeconds * 1000;
  const deadline = AbortSignal.timeout(timeoutMs);
  const signal = deps.signal ? AbortSignal.any([deps.signal, deadline]) : deadline;
  for (const file of picked.files) {
    const { image } = file;
    let target: string;
    try {
      target = safeOutputPath(job.jobPayload.targetFolder, file.name);
    } catch (error) {
      return failed(job, `${label}: ${(error as Error).message}`, 'unsafe_path', deps);
    }
    let bytes: Buffer;
    if (file.bytes) bytes = file.bytes;
    else if (!image) return failed(job, `${label}: output ${file.nodeId} has neither a file nor WebSocket bytes`, 'no_image', deps);
    else {
      const what = `${image.subfolder ? `${image.subfolder}/` : ''}${image.filename}`;
      try {
        bytes = await deps.clientFor(server).downloadOutput(image, { signal });
      } catch (error) {
        if (error instanceof ComfyUiError && error.code === 'COMFYUI_STOPPED') {
          if (!deadline.aborted) {
            // Shutting down: leave the job for the next start, which downloads it again.
            await patchJob(manager, job, { leaseOwner: null, leaseExpiresAt: null });
            return { outcome: 'skipped', job };
          }
          return failed(job, `${label}: timed out after ${job.jobPayload.timeoutSeconds} s on ${server} downloading ${what}; retry with: kiln jobs retry ${job.id}`, 'timeout', deps);
        }
        const reason = `${label}: downloading ${what} from ${server} failed: ${(error as Error).message}`;
        // A server restarting or briefly unreachable keeps the image in its output folder, and a bad
        // answer may be a glitch: try again later (the poller picks the job up once it is due), failing
        // only when the retry budget is spent.
        if (error instanceof ComfyUiError && isWorthRetrying(error) && job.retryCount < deps.retry.maxRetries) return downloadLater(job, reason, deps);
        return failed(job, `${reason}; retry with: kiln jobs retry ${job.id}`, 'download', deps);
      }
    }
    if (!isCompleteImage(bytes)) {
      const reason = `${label}: ${image ? image.filename : `the WebSocket image of node ${file.nodeId}`} from ${server} is not a complete PNG, JPEG or WebP image (${bytes.length} bytes)`;
      // A file on the server can be downloaded again; socket bytes cannot.
      if (image && job.retryCount < deps.retry.maxRetries) return downloadLater(job, reason, deps);
      return failed(job, `${reason}; retry with: kiln jobs retry ${job.id}`, 'not_image', deps);
    }
    const digest = sha256(bytes);
    const existing = await fileSha256(target);
    if (existing && existing !== digest && !job.jobPayload.overwrite) {
      return failed(
        job,
        `${label}: ${target} already exists and was not made by this job; pass --overwrite (or set output.overwrite: true) to replace it`,
        'output_exists',
        deps,
      );
    }
    const sidecarFile = sidecarPath(target);
    if (!job.jobPayload.overwrite && (await foreignSidecar(sidecarFile))) {
      return failed(job, `${label}: ${sidecarFile} already exists and was not written by Kiln; move it away, or pass --overwrite (or set output.overwrite: true) to replace it`, 'output_exists', deps);
    }
    files.push({ ...file, target, bytes, digest, existing });
  }

  // What the server ran (its history echoes the prompt), stored once per distinct graph beside the images.
  const ran = job.resultMetadata?.prompt?.[2];
  const createdAt = new Date().toISOString();
  const write = deps.writeFile ?? writeFileAtomically;
  const written = files.map((file) => ({ imagePath: file.target, sha256: file.digest, nodeId: file.nodeId, batchIndex: file.batchIndex, batchSize: file.batchSize }));
  let workflowRecord: SidecarMetadata['workflow'];
  /** Images (and their sidecars) this attempt put where nothing was: a failure takes them away again. */
  const created: string[] = [];
  let failedTarget = files[0]?.target ?? job.jobPayload.targetFolder;
  let recording = false;
  try {
    workflowRecord = await storeWorkflow(job.jobPayload.targetFolder, typeof ran === 'object' && ran !== null ? ran : job.jobPayload.workflow, job.id, write);
    for (const file of files) {
      failedTarget = file.target;
      const sidecar: SidecarMetadata = {
        item: label,
        seed: job.jobPayload.seed,
        promptId: job.promptId,
        server,
        sha256: file.digest,
        jobId: job.id,
        runId: job.pipelineRunId,
        parentCandidateId: job.parentCandidateId,
        ...(file.image ? { comfyuiFile: { filename: file.image.filename, subfolder: file.image.subfolder, type: file.image.type } } : { comfyuiWebSocket: true }),
        output: { nodeId: file.nodeId, batchIndex: file.batchIndex, batchSize: file.batchSize, ...(file.batchSize > 1 ? { seedShared: true } : {}) },
        workflow: workflowRecord,
        createdAt,
        ...job.jobPayload.summary,
      };
      if (file.existing === undefined) created.push(sidecarPath(file.target));
      await write(sidecarPath(file.target), Buffer.from(`${JSON.stringify(sidecar, null, 2)}\n`), job.id);
      if (file.existing !== file.digest) {
        if (file.existing === undefined) created.push(file.target);
        await write(file.target, file.bytes, job.id);
      }
    }
    recording = true;
    await deps.onFilesWritten?.({ jobId: job.id, runId: job.pipelineRunId, label, promptId: job.promptId, server, seed: job.jobPayload.seed, files: written });
  } catch (error) {
    await Promise.all(files.flatMap((file) => [rm(partPath(file.target, job.id), { force: true }), rm(partPath(sidecarPath(file.target), job.id), { force: true })]));
    // The disk must agree with the ledger and with what the caller recorded: no image the job does
    // not count, no sidecar for an image that is not there.
    await Promise.all(created.map((file) => rm(file, { force: true })));
    // What the caller could not record (its manifest) names its own file when it is a disk error.
    if (recording) failedTarget = (error as NodeJS.ErrnoException | null)?.path ?? failedTarget;
    const reason = `${label}: ${describeDiskError(error, failedTarget)}`;
    // A full disk or a permission problem passes once a person acts: keep the image on the server
    // and try again after a backoff, failing only when the retry budget is spent.
    if (isPassingDiskError(error) && job.retryCount < deps.retry.maxRetries) return downloadLater(job, reason, deps);
    return failed(job, `${reason}; once fixed, retry with: kiln jobs retry ${job.id}`, 'write', deps);
  }
  const [primary] = files;
  const target = primary.target;
  const digest = primary.digest;

  // No transaction around the two writes: recordCandidate is idempotent by the job id, so a crash
  // between them is finished by the next attempt (same candidate, then the mark), and each image
  // costs two round trips fewer.
  const { candidate } = await recordCandidate(manager, {
    stepId: job.pipelineStepId,
    parentId: job.parentCandidateId,
    index: job.slotIndex,
    imagePath: target,
    seed: job.jobPayload.seed,
    metadata: { ...job.jobPayload.summary, sha256: digest, promptId: job.promptId, server, workflow: workflowRecord, ...(files.length > 1 ? { files: written } : {}) },
    sourceKey: job.id,
  });
  const candidateId = candidate.id;
  // A download retried earlier leaves its error and due time behind: the image is home, clear them.
  await patchJob(manager, job, { candidateId, processedAt: new Date(), leaseOwner: null, leaseExpiresAt: null, nextAttemptAt: null, errorMessage: null });

  const durationMs = job.submittedAt ? Date.now() - job.submittedAt.getTime() : 0;
  deps.metrics?.completed.inc({ server });
  deps.metrics?.duration.observe(durationMs / 1000);
  deps.logger.info('job completed', { jobId: job.id, promptId: job.promptId, server, label, imagePath: target, seed: job.jobPayload.seed, durationMs });
  deps.emit?.({
    type: 'job_completed',
    jobId: job.id,
    runId: job.pipelineRunId,
    label,
    promptId: job.promptId,
    server,
    imagePath: target,
    seed: job.jobPayload.seed,
    sha256: digest,
    files: written,
    candidateId,
    durationMs,
  });
  return { outcome: 'recorded', job, imagePath: target, candidateId, sha256: digest };
}

/** A file where the sidecar goes that Kiln did not write (not JSON with Kiln's fields). */
async function foreignSidecar(file: string): Promise<boolean> {
  let text: string;
  try {
    // Never read a FIFO or a huge file of the user's: such a thing is not a sidecar.
    const info = await stat(file);
    if (!info.isFile() || info.size > 1024 * 1024) return true;
    text = await readFile(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return false;
    throw error;
  }
  try {
    const parsed = JSON.parse(text) as Record<string, unknown>;
    return !(typeof parsed['jobId'] === 'string' && typeof parsed['sha256'] === 'string' && typeof parsed['promptId'] === 'string');
  } catch {
    return true;
  }
}

function isWorthRetrying(error: ComfyUiError): boolean {
  return error.transient || error.code === 'COMFYUI_BAD_RESPONSE';
}

async function downloadLater(job: ComfyUiJob, reason: string, deps: JobCommandDeps): Promise<ProcessJobResultOutcome> {
  const attempt = job.retryCount + 1;
  const nextAttemptAt = new Date(Date.now() + backoffDelay(attempt, deps.retry.baseDelayMs, deps.retry.maxDelayMs, deps.random));
  const patched = await patchJob(deps.dataSource.manager, job, { retryCount: attempt, nextAttemptAt, errorMessage: reason, leaseOwner: null, leaseExpiresAt: null });
  if (!patched) return { outcome: 'skipped', job };
  deps.metrics?.retries.inc({ reason: 'download' });
  deps.logger.warn('image download will be retried', { jobId: job.id, promptId: job.promptId, server: job.server, label: job.jobPayload.label, attempt, nextAttemptAt: nextAttemptAt.toISOString(), error: reason });
  return { outcome: 'retry_scheduled', job, error: reason };
}

async function failed(job: ComfyUiJob, message: string, reason: string, deps: JobCommandDeps): Promise<ProcessJobResultOutcome> {
  const result = await fail(job, job.server, message, reason, deps);
  return result.outcome === 'failed' ? { outcome: 'failed', job: result.job, error: message } : { outcome: 'skipped', job };
}
