import type { ItemDone, ItemFailed, ItemRef, ItemSkipped, OutputStreams, Reporter, RunSummary } from './reporter';

/** `--json`: one JSON object per line on stdout, each with an `event` field; nothing else on stdout. */
export class JsonReporter implements Reporter {
  constructor(private readonly streams: OutputStreams) {}

  warn(message: string): void {
    this.emit('warning', { message });
  }

  info(message: string, data: Record<string, unknown> = {}): void {
    this.emit('info', { message, ...data });
  }

  context(message: string): void {
    this.streams.stderr.write(`${message}\n`);
  }

  result(_text: string, data: Record<string, unknown>): void {
    this.emit('result', data);
  }

  start(total: number, toGenerate: number): void {
    this.emit('start', { total, toGenerate, skipped: total - toGenerate });
  }

  skipped(event: ItemSkipped): void {
    this.emit('skipped', { ...event });
  }

  started(event: ItemRef): void {
    this.emit('started', { ...event });
  }

  retrying(event: ItemRef & { reason: string }): void {
    this.emit('retrying', { ...event });
  }

  done(event: ItemDone): void {
    this.emit('done', { ...event });
  }

  failed(event: ItemFailed): void {
    this.emit('failed', { ...event });
  }

  finish(summary: RunSummary): void {
    this.emit('summary', { ...summary });
  }

  error(message: string, exitCode: number, details: Record<string, unknown> = {}): void {
    this.emit('error', { message, exitCode, ...details });
  }

  close(): void {
    // nothing to release
  }

  private emit(event: string, data: Record<string, unknown>): void {
    this.streams.stdout.write(`${JSON.stringify({ event, ...data, time: new Date().toISOString() })}\n`);
  }
}
