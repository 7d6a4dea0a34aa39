import { MultiBar, Presets, type SingleBar } from 'cli-progress';
import type { Colors } from './colors';
import { moreFilesNote, type ItemDone, type ItemFailed, type ItemRef, type ItemSkipped, type OutputStreams, type Reporter, type RunSummary } from './reporter';
import { renderSummary } from './summary-table';

/**
 * A live progress bar on a TTY (images done/total, current items, elapsed, ETA); every event is
 * also printed as a line above the bar so the scrollback tells the whole story.
 */
export class ProgressReporter implements Reporter {
  private readonly multibar: MultiBar;
  private bar: SingleBar | undefined;
  private readonly inFlight = new Set<string>();
  private closed = false;

  constructor(
    private readonly streams: OutputStreams,
    private readonly colors: Colors,
  ) {
    this.multibar = new MultiBar(
      {
        stream: streams.stdout,
        format: ` {bar} {value}/{total} | {current} | {duration_formatted} elapsed | ETA {eta_formatted}`,
        barsize: 24,
        hideCursor: true,
        clearOnComplete: true,
        stopOnComplete: false,
        autopadding: true,
        etaBuffer: 20,
        forceRedraw: true,
      },
      Presets.shades_classic,
    );
  }

  warn(message: string): void {
    this.log(this.colors.yellow(this.colors.bold(message)));
  }

  info(message: string): void {
    this.log(message);
  }

  context(message: string): void {
    this.streams.stderr.write(`${this.colors.dim(message)}\n`);
  }

  result(text: string): void {
    this.log(text.replace(/\n$/, ''));
  }

  start(total: number, toGenerate: number): void {
    const skipped = total - toGenerate;
    this.log(`${total} image${total === 1 ? '' : 's'}: ${toGenerate} to generate${skipped ? `, ${skipped} already made` : ''}`);
    if (toGenerate > 0) this.bar = this.multibar.create(toGenerate, 0, { current: 'starting…' });
  }

  skipped(event: ItemSkipped): void {
    this.log(`${this.colors.dim('skip')} ${event.item} → ${event.file} (seed ${event.seed}): ${event.reason}`);
  }

  started(event: ItemRef): void {
    this.inFlight.add(event.item);
    this.updateCurrent();
  }

  retrying(event: ItemRef & { reason: string }): void {
    this.log(`${this.colors.yellow('retry')} ${event.item}: ${event.reason}`);
  }

  done(event: ItemDone): void {
    this.log(`${this.colors.green('done')} ${event.item} → ${event.file} (seed ${event.seed})${moreFilesNote(event)}`);
    this.advance(event.item);
  }

  failed(event: ItemFailed): void {
    this.log(`${this.colors.red('FAIL')} ${event.item}: ${event.reason}`);
    this.advance(event.item);
  }

  finish(summary: RunSummary): void {
    this.close();
    this.streams.stdout.write(`${renderSummary(summary, this.colors)}\n`);
  }

  error(message: string): void {
    this.close();
    this.streams.stderr.write(`${this.colors.red('error:')} ${message}\n`);
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.multibar.stop();
  }

  private advance(item: string): void {
    this.inFlight.delete(item);
    this.bar?.increment(1, { current: this.currentLabel() });
  }

  private updateCurrent(): void {
    this.bar?.update({ current: this.currentLabel() });
  }

  private currentLabel(): string {
    const names = [...this.inFlight];
    if (names.length === 0) return '—';
    const shown = names.slice(0, 2).join(', ');
    return names.length > 2 ? `${shown} +${names.length - 2}` : shown;
  }

  private log(line: string): void {
    if (this.closed) this.streams.stdout.write(`${line}\n`);
    else this.multibar.log(`${line}\n`);
  }
}
