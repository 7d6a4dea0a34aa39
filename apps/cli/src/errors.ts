/** Process exit codes of `kiln`; documented in `kiln --help`. */
export const ExitCode = {
  ok: 0,
  /** Some items failed; each is named with its reason. */
  itemsFailed: 1,
  /** The spec, a flag, a checkpoint or a file in the way: fix the input and rerun. */
  invalidInput: 2,
  /** ComfyUI or the database could not be reached. */
  unreachable: 3,
  /** Stopped by Ctrl-C (128 + SIGINT). */
  interrupted: 130,
} as const;
export type ExitCodeValue = (typeof ExitCode)[keyof typeof ExitCode];

export type CliErrorCode = 'INVALID_INPUT' | 'UNREACHABLE' | 'INTERRUPTED';

const exitCodeOf: Record<CliErrorCode, ExitCodeValue> = {
  INVALID_INPUT: ExitCode.invalidInput,
  UNREACHABLE: ExitCode.unreachable,
  INTERRUPTED: ExitCode.interrupted,
};

/** A failure the CLI reports as one message and an exit code. */
export class CliError extends Error {
  override readonly name = 'CliError';
  readonly exitCode: ExitCodeValue;

  constructor(
    readonly code: CliErrorCode,
    message: string,
    options?: { cause?: unknown; details?: Record<string, unknown> },
  ) {
    super(message, options);
    this.exitCode = exitCodeOf[code];
    this.details = options?.details ?? {};
  }

  /** Machine-readable facts for `--json` output (e.g. the available checkpoints). */
  readonly details: Record<string, unknown>;
}

const UNREACHABLE_CODES = new Set(['COMFYUI_UNREACHABLE', 'COMFYUI_TIMEOUT', 'DATABASE_UNREACHABLE', 'DATABASE_LOCKED']);
const INVALID_CODES = new Set([
  'DATABASE_INVALID_URL',
  'PIPELINE_RUN_NOT_FOUND',
  'PIPELINE_STEP_NOT_FOUND',
  'CANDIDATE_NOT_FOUND',
  'PIPELINE_INVALID_INPUT',
  'COMFYUI_WORKFLOW_REJECTED',
  'JOB_NOT_FOUND',
  'JOB_NOT_RETRYABLE',
]);

/**
 * The exit code of any error. Libraries' typed errors are recognised by their `code` alone, so this
 * module (loaded on every start) does not pull in the libraries themselves.
 */
export function exitCodeFor(error: unknown): ExitCodeValue {
  if (error instanceof CliError) return error.exitCode;
  const code = (error as { code?: unknown } | null)?.code;
  if (typeof code === 'string' && UNREACHABLE_CODES.has(code)) return ExitCode.unreachable;
  if (typeof code === 'string' && INVALID_CODES.has(code)) return ExitCode.invalidInput;
  return ExitCode.itemsFailed;
}

/** What to tell a person about an error, with how to fix it where we know. */
export function describeError(error: unknown, context: { server?: string } = {}): string {
  const message = error instanceof Error ? error.message : String(error);
  const code = (error as { code?: unknown } | null)?.code;
  if (code === 'COMFYUI_UNREACHABLE' || code === 'COMFYUI_TIMEOUT') {
    const where = context.server ? ` at ${context.server}` : '';
    return (
      `cannot reach ComfyUI${where}: ${message}\n` +
      `  fix: start ComfyUI (python main.py --listen), or point kiln at it with --server URL or COMFYUI_BASE_URL,\n` +
      `       or try everything without a GPU with --emulator`
    );
  }
  return message;
}
