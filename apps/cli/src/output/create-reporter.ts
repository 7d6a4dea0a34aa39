import { colorsEnabled, createColors } from './colors';
import { JsonReporter } from './json-reporter';
import { LineReporter } from './line-reporter';
import { printableReporter } from './printable';
import { ProgressReporter } from './progress-reporter';
import type { OutputStreams, Reporter } from './reporter';

export interface ReporterChoice {
  json?: boolean;
  /** Live bar allowed (batches); single-shot commands print lines even on a TTY. */
  progress?: boolean;
  env: NodeJS.ProcessEnv;
  streams: OutputStreams;
}

/** `--json` → JSON lines; a TTY → progress bar; anything else → plain lines. */
export function createReporter(choice: ReporterChoice): Reporter {
  if (choice.json) return new JsonReporter(choice.streams);
  const isTTY = choice.streams.stdout.isTTY === true;
  const colors = createColors(colorsEnabled(choice.env, isTTY));
  if (isTTY && choice.progress && choice.env['TERM'] !== 'dumb') return printableReporter(new ProgressReporter(choice.streams, colors));
  return printableReporter(new LineReporter(choice.streams, colors));
}
