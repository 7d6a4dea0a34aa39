import type { OutputStreams } from './output/reporter';

/** The outside world of one CLI invocation; tests pass their own. */
export interface CliContext extends OutputStreams {
  env: NodeJS.ProcessEnv;
  cwd: string;
  /** Subscribes to Ctrl-C (SIGINT/SIGTERM); returns the unsubscribe function. */
  onInterrupt(handler: () => void): () => void;
}

export function processContext(): CliContext {
  return {
    env: process.env,
    cwd: process.cwd(),
    stdout: process.stdout,
    stderr: process.stderr,
    onInterrupt(handler) {
      process.on('SIGINT', handler);
      process.on('SIGTERM', handler);
      return () => {
        process.off('SIGINT', handler);
        process.off('SIGTERM', handler);
      };
    },
  };
}
