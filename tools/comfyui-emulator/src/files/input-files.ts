import * as fs from 'node:fs';
import { guessMimeType } from './mime-types';

/** LoadImage's choices: top-level image files of the input dir, sorted (folder_paths.get_filename_list + filter). */
export function listInputImages(inputDir: string): string[] {
  let entries: fs.Dirent[];
  try {
    entries = fs.readdirSync(inputDir, { withFileTypes: true });
  } catch {
    return [];
  }
  return entries
    .filter((entry) => entry.isFile() && (guessMimeType(entry.name) ?? '').startsWith('image/'))
    .map((entry) => entry.name)
    .sort();
}
