import type { OutputImage, OutputRef, OutputType } from './types';
import { expectRecord, expectString, isRecord, ShapeError } from './validate';

const OUTPUT_TYPES: readonly OutputType[] = ['output', 'input', 'temp'];

/**
 * Checks one `{filename, subfolder, type}` from the server. Names that could climb out of a
 * download folder (`..`, absolute, backslash, NUL, drive letter) are treated as hostile.
 */
export function parseOutputRef(value: unknown, what: string): OutputRef {
  const record = expectRecord(value, what);
  const filename = expectString(record['filename'], `${what}.filename`);
  const subfolder = record['subfolder'] === undefined ? '' : expectString(record['subfolder'], `${what}.subfolder`);
  const type = record['type'] === undefined ? 'output' : expectString(record['type'], `${what}.type`);
  const hostile = hostileFilename(filename) ?? hostileSubfolder(subfolder);
  if (hostile) throw new ShapeError(`${what}: refusing hostile output path ${JSON.stringify({ filename, subfolder })}: ${hostile}`);
  if (!OUTPUT_TYPES.includes(type as OutputType)) throw new ShapeError(`${what}.type: expected one of ${OUTPUT_TYPES.join(', ')}, got ${JSON.stringify(type)}`);
  return { filename, subfolder, type: type as OutputType };
}

/** Why `filename` is unsafe, or undefined. A filename is a bare name: no path parts at all. */
function hostileFilename(filename: string): string | undefined {
  if (filename === '') return 'empty filename';
  if (filename.includes('\0')) return 'NUL in filename';
  if (filename.includes('\\')) return 'backslash in filename';
  if (filename.includes('/')) return 'path separator in filename';
  if (filename.includes('..')) return '".." in filename';
  if (/^[A-Za-z]:/.test(filename)) return 'drive letter in filename';
  return undefined;
}

/** Why `subfolder` is unsafe, or undefined. `/`-separated relative segments are fine. */
function hostileSubfolder(subfolder: string): string | undefined {
  if (subfolder.includes('\0')) return 'NUL in subfolder';
  if (subfolder.includes('\\')) return 'backslash in subfolder';
  if (subfolder.startsWith('/')) return 'absolute subfolder';
  if (/^[A-Za-z]:/.test(subfolder)) return 'drive letter in subfolder';
  if (subfolder.split('/').includes('..')) return '".." in subfolder';
  return undefined;
}

/** Every image listed under `outputs[nodeId].images`, validated, in node order. */
export function collectOutputImages(outputs: Record<string, unknown>, what = 'outputs'): OutputImage[] {
  const images: OutputImage[] = [];
  for (const [nodeId, ui] of Object.entries(outputs)) {
    if (!isRecord(ui) || !Array.isArray(ui['images'])) continue;
    ui['images'].forEach((item, i) => images.push({ nodeId, ...parseOutputRef(item, `${what}.${nodeId}.images[${i}]`) }));
  }
  return images;
}
