/** One file a job wrote, with its hash and the output node and batch position it came from. */
interface WrittenFile {
  imagePath: string;
  sha256: string;
  nodeId: string;
  batchIndex: number;
  batchSize: number;
}

/** A job's files, on disk, before the job counts as done (see `onFilesWritten`). The first file is the planned one. */
export interface JobFilesWritten {
  jobId: string;
  runId: string;
  label: string;
  promptId: string;
  server: string;
  seed: number;
  files: WrittenFile[];
}

/** What happened to a job, for progress displays and logs. `label` is the item or step it belongs to. */
export type JobEngineEvent =
  | { type: 'job_submitted'; jobId: string; runId: string; label: string; promptId: string; server: string }
  | { type: 'job_running'; jobId: string; runId: string; label: string; promptId: string; server: string }
  | {
      type: 'job_retrying';
      jobId: string;
      runId: string;
      label: string;
      attempt: number;
      error: string;
      nextAttemptAt: Date;
    }
  | {
      type: 'job_completed';
      jobId: string;
      runId: string;
      label: string;
      promptId: string;
      server: string;
      /** The first (or only) file; `files` lists every file the job wrote, this one first. */
      imagePath: string;
      seed: number;
      sha256: string;
      files: WrittenFile[];
      candidateId: string;
      durationMs: number;
    }
  | { type: 'job_failed'; jobId: string; runId: string; label: string; promptId: string; server: string | null; error: string };