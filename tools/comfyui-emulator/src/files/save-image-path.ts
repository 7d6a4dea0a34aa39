import * as fs from 'node:fs';
import * as path from 'node:path';
import { SAVE_IMAGE_TRACEBACK } from '../execution/captured-tracebacks';
import { PythonException } from '../python/python-values';

export interface SaveImagePath {
  fullOutputFolder: string;
  fileBase: string;
  counter: number;
  subfolder: string;
}

function pad2(n: number): string {
  return String(n).padStart(2, '0');
}

/** The server-side `%token%` replacements of `folder_paths.get_save_image_path` (compute_vars). */
function expandTokens(prefix: string, width: number, height: number, now: Date): string {
  return prefix
    .replace(/%width%/g, String(width))
    .replace(/%height%/g, String(height))
    .replace(/%year%/g, String(now.getFullYear()))
    .replace(/%month%/g, pad2(now.getMonth() + 1))
    .replace(/%day%/g, pad2(now.getDate()))
    .replace(/%hour%/g, pad2(now.getHours()))
    .replace(/%minute%/g, pad2(now.getMinutes()))
    .replace(/%second%/g, pad2(now.getSeconds()));
}

function commonPath(a: string, b: string): string {
  const left = a.split('/');
  const right = b.split('/');
  const shared: string[] = [];
  for (let i = 0; i < Math.min(left.length, right.length) && left[i] === right[i]; i++) shared.push(left[i]);
  return shared.join('/') || '/';
}

/**
 * `folder_paths.get_save_image_path`: the prefix's folder becomes the subfolder, the counter continues
 * from the files on disk, and a prefix escaping the output dir raises ComfyUI's exact error.
 */
export function getSaveImagePath(
  filenamePrefix: string,
  outputDir: string,
  imageWidth: number,
  imageHeight: number,
  now = new Date(),
): SaveImagePath {
  const prefix = expandTokens(filenamePrefix, imageWidth, imageHeight, now);
  const normalized = path.posix.normalize(prefix);
  const subfolderRaw = path.posix.dirname(normalized);
  const subfolder = subfolderRaw === '.' ? '' : subfolderRaw;
  const fileBase = path.posix.basename(normalized);
  const fullOutputFolder = path.posix.join(outputDir, subfolder);
  const absolute = path.posix.resolve(fullOutputFolder);
  const common = commonPath(outputDir, absolute);
  if (common !== outputDir) {
    throw new PythonException(
      'Exception',
      '**** ERROR: Saving image outside the output folder is not allowed.' +
        `\n full_output_folder: ${absolute}` +
        `\n         output_dir: ${outputDir}` +
        `\n         commonpath: ${common}`,
      SAVE_IMAGE_TRACEBACK,
    );
  }
  let counter = 1;
  try {
    const numbers = fs
      .readdirSync(fullOutputFolder)
      .filter((name) => name.slice(0, fileBase.length) === fileBase && name[fileBase.length] === '_')
      .map((name) => {
        const digits = Number.parseInt(name.slice(fileBase.length + 1).split('_')[0], 10);
        return /^\d+$/.test(name.slice(fileBase.length + 1).split('_')[0]) ? digits : 0;
      });
    if (numbers.length > 0) counter = Math.max(...numbers) + 1;
  } catch {
    fs.mkdirSync(fullOutputFolder, { recursive: true });
  }
  return { fullOutputFolder, fileBase, counter, subfolder };
}

/** `f"{base}_{counter:05}_.png"` with `%batch_num%` replaced. */
export function saveImageFileName(fileBase: string, batchNumber: number, counter: number): string {
  return `${fileBase.replace(/%batch_num%/g, String(batchNumber))}_${String(counter).padStart(5, '0')}_.png`;
}
