import * as fs from 'node:fs';
import * as path from 'node:path';
import { isInside, parseAnnotatedPath } from './annotated-path';

export interface EmulatorDirs {
  output: string;
  input: string;
  temp: string;
}

/**
 * `folder_paths.get_annotated_filepath` with the input dir as default: `x.png`, `sub/x.png`,
 * `x.png [output]`. Undefined when the name escapes its folder.
 */
export function resolveInputFile(name: string, dirs: EmulatorDirs): string | undefined {
  const annotated = parseAnnotatedPath(name);
  const base = dirs[annotated.folderType ?? 'input'];
  const file = path.resolve(base, annotated.name);
  return isInside(base, file) ? file : undefined;
}

/** LoadImage's VALIDATE_INPUTS: the annotated file exists. */
export function inputFileExists(name: string, dirs: EmulatorDirs): boolean {
  const file = resolveInputFile(name, dirs);
  try {
    return file !== undefined && fs.statSync(file).isFile();
  } catch {
    return false;
  }
}
