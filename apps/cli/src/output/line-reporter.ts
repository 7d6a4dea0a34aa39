import type { Colors } from './colors';
import { moreFilesNote, type ItemDone, type ItemFailed, type ItemRef, type ItemSkipped, type OutputStreams, type Reporter, type RunSummary } from './reporter';
import { renderSummary } from './summary-table';

/** One plain line per event: for logs, pipes and CI. */
export class LineReporter implements Reporter {
  private total = 0;
  private finished = 0;

  constructor(
    private readonly streams: OutputStreams,
    private readonly colors: Colors,
  ) {}

  warn(message: string): void {
    this.streams.stderr.write(`${this.colors.yellow(this.colors.bold(message))}\n`);
  }

  info(message: string): void {
    this.streams.stdout.write(`${message}\n`);
  }

  context(message: string): void {
    this.streams.stderr.write(`${this.colors.dim(message)}\n`);
  }

  result(text: string): void {
    this.streams.stdout.write(text.endsWith('\n') ? text : `${text}\n`);
  }

  start(total: number, toGenerate: number): void {
    this.total = total;
    const skipped = total - toGenerate;
    this.info(`${total} image${total === 1 ? '' : 's'}: ${toGenerate} to generate${skipped ? `, ${skipped} already made` : ''}`);
  }

  skipped(event: ItemSkipped): void {
    this.finished++;
    this.line(this.colors.dim('skip'), `${event.item} → ${event.file} (seed ${event.seed}): ${event.reason}`);
  }

  started(event: ItemRef): void {
    this.line(this.colors.cyan('run '), `${event.item} → ${event.file}`);
  }

  retrying(event: ItemRef & { reason: string }): void {
    this.line(this.colors.yellow('retry'), `${event.item}: ${event.reason}`);
  }

  done(event: ItemDone): void {
    this.finished++;
    this.line(this.colors.green('done'), `${event.item} → ${event.file} (seed ${event.seed})${moreFilesNote(event)}`);
  }

  failed(event: ItemFailed): void {
    this.finished++;
    this.line(this.colors.red('FAIL'), `${event.item}: ${event.reason}`);
  }

  finish(summary: RunSummary): void {
    this.streams.stdout.write(`${renderSummary(summary, this.colors)}\n`);
  }

  error(message: string): void {
    this.streams.stderr.write(`${this.colors.red('error:')} ${message}\n`);
  }

  close(): void {
    // nothing to release
  }

  private line(tag: string, text: string): void {
    const progress = this.total ? this.colors.dim(`[${this.finished}/${this.total}] `) : '';
    this.streams.stdout.write(`${progress}${tag} ${text}\n`);
  }
}
