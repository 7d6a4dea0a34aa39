import type { ComfyUiEventStream } from '../client/event-stream';
import type { JobCommandDeps } from '../commands/job-command-deps';
import { markPromptRunning } from '../commands/poll-job-status';
import type { ComfyUiJob } from '../jobs/comfyui-job.entity';
import { findJobByPromptId } from '../jobs/sql/find-job-by-prompt-id';
import type { PromptTracker } from './prompt-tracker';

export interface PromptEventsContext {
  server: string;
  prompts: PromptTracker;
  deps: JobCommandDeps;
  /** Moves on a job whose prompt ComfyUI reported done (poll it, bring its image home). */
  finish(job: ComfyUiJob): Promise<void>;
  /** The socket is up (again): prompts may have moved on while nobody listened. */
  recheck(): void;
  /** The socket came back after a drop: the server may have restarted with other models or nodes. */
  reconnected?(): void;
}

/** Moves jobs on as soon as the server's WebSocket reports on their prompts; returns the stream. */
export function followPromptEvents(stream: ComfyUiEventStream, context: PromptEventsContext): ComfyUiEventStream {
  const { server, prompts, deps } = context;
  const handle = (promptId: string, action: () => Promise<void>): void => {
    prompts.handle(promptId, action).catch((error: Error) => deps.logger.error('handling a ComfyUI event failed', { server, promptId, error: error.message }));
  };

  stream.on('execution_start', (e) => {
    const promptId = e.data.prompt_id;
    if (!promptId) return;
    handle(promptId, async () => {
      if (prompts.isReportedDone(promptId)) return;
      const now = new Date();
      prompts.startedRunning(promptId, await markPromptRunning(promptId, deps, now), now);
    });
  });
  // `executing {node: null}` comes after ComfyUI wrote the history: the reliable "done" signal.
  stream.on('executing', (e) => {
    const promptId = e.data.prompt_id;
    if (e.data.node !== null || !promptId) return;
    prompts.reportDone(promptId);
    handle(promptId, async () => {
      const job = prompts.takeDone(promptId) ?? (await findJobByPromptId(deps.dataSource.manager, promptId));
      if (job) await context.finish(job);
    });
  });
  // Events of a prompt that finished before the socket was up are lost (ComfyUI sends them to a
  // connected client only): a 1-image CLI run would wait for the first poll. Look once it is up.
  stream.on('ready', () => context.recheck());
  stream.on('reconnected', (info) => {
    deps.logger.warn('ComfyUI connection came back: re-checking its prompts and node catalogue', { server, downtimeMs: info.downtimeMs, sidChanged: info.sidChanged });
    context.reconnected?.();
    context.recheck();
  });
  stream.on('error', (error) => deps.logger.debug('ComfyUI event stream error', { server, error: error.message }));
  return stream;
}
