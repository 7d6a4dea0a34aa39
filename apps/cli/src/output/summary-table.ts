import type { Colors } from './colors';
import { formatDuration, formatTable } from './format';
import type { RunSummary } from './reporter';

/** The table printed at the end of every batch. */
export function renderSummary(summary: RunSummary, colors: Colors): string {
  const rows: string[][] = [
    ['done', colors.green(String(summary.done))],
    ['skipped', String(summary.skipped)],
    ['failed', summary.failed ? colors.red(String(summary.failed)) : '0'],
  ];
  if (summary.remaining) rows.push(['not run', colors.yellow(String(summary.remaining))]);
  rows.push(['time', formatDuration(summary.elapsedMs)]);
  const lines = [colors.bold('Summary'), formatTable(rows, '  ')];
  if (summary.failures.length) {
    lines.push(colors.bold(colors.red('Failed:')));
    for (const failure of summary.failures) lines.push(`  ${failure.item}: ${failure.reason}`);
  }
  return lines.join('\n');
}
