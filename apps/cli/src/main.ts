import { processContext } from './cli-context';
import { runCli } from './program';

// Entry of the bundle (dist/apps/cli/main.js), run by bin/kiln.cjs. Exits explicitly: open database
// handles or sockets must not keep a finished command alive.
runCli(process.argv, processContext()).then(
  (code) => exitAfterFlush(code),
  (error: unknown) => {
    process.stderr.write(`kiln: unexpected error: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    exitAfterFlush(1);
  },
);

function exitAfterFlush(code: number): void {
  process.exitCode = code;
  // stdout to a pipe is asynchronous: exit once it has drained.
  process.stdout.write('', () => process.stderr.write('', () => process.exit(code)));
}
