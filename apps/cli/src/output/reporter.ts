/** One image of a batch as people see it in the output. */
export interface ItemRef {
  /** The item name as written in the spec, with `#n` when it makes several images. */
  item: string;
  /** Output path as given to the user (relative to the current folder when inside it). */
  file: string;
}

export interface ItemDone extends ItemRef {
  seed: number;
  promptId?: string;
  sha256?: string;
  /** Further files the same job wrote (a batch, or `outputs: all`), as shown to people. */
  moreFiles?: string[];
}

/** ` (+2 more: a-2.png, a-3.png)` for a job that wrote several files, else nothing. */
export function moreFilesNote(event: ItemDone): string {
  const more = event.moreFiles ?? [];
  return more.length ? ` (+${more.length} more: ${more.join(', ')})` : '';
}

export interface ItemSkipped extends ItemRef {
  seed: number;
  reason: string;
}

export interface ItemFailed extends ItemRef {
  reason: string;
}

/** Totals of a finished (or interrupted) batch. */
export interface RunSummary {
  done: number;
  skipped: number;
  failed: number;
  /** Items neither done nor failed when the run stopped (Ctrl-C). */
  remaining: number;
  elapsedMs: number;
  failures: ItemFailed[];
}

/**
 * Where a command's progress goes. Three implementations: a progress bar on a TTY, one plain line
 * per event otherwise, and one JSON object per line with `--json`.
 */
export interface Reporter {
  /** A notice people must not miss (e.g. the emulator makes synthetic images). */
  warn(message: string): void;
  info(message: string, data?: Record<string, unknown>): void;
  /**
   * Where the command works (its database): always a plain line on stderr, so stdout stays the
   * command's result, with `--json` exactly the events it was before (scripts read the first one).
   */
  context(message: string): void;
  /** A command's result data: printed as text, or as one JSON object with `--json`. */
  result(text: string, data: Record<string, unknown>): void;
  start(total: number, toGenerate: number): void;
  skipped(event: ItemSkipped): void;
  started(event: ItemRef): void;
  retrying(event: ItemRef & { reason: string }): void;
  done(event: ItemDone): void;
  failed(event: ItemFailed): void;
  finish(summary: RunSummary): void;
  /** A failure that ends the command; `exitCode` is what the process will exit with. */
  error(message: string, exitCode: number, details?: Record<string, unknown>): void;
  /** Releases the terminal (stops the bar). Safe to call twice. */
  close(): void;
}

export interface OutputStreams {
  stdout: NodeJS.WritableStream & { isTTY?: boolean; columns?: number };
  stderr: NodeJS.WritableStream;
}
