import { realpath, stat } from 'node:fs/promises';
import * as path from 'node:path';

/**
 * The real path of `file` when it lies inside the real path of `folder` (symlinks and `..`
 * resolved on both), else null: a recorded path never leads the gallery out of a run's folder.
 */
export async function realPathInside(folder: string, file: string): Promise<string | null> {
  try {
    const [realFolder, realFile] = await Promise.all([realpath(folder), realpath(path.resolve(folder, file))]);
    const relative = path.relative(realFolder, realFile);
    if (relative === '' || relative.startsWith('..') || path.isAbsolute(relative)) return null;
    return realFile;
  } catch {
    return null;
  }
}

/**
 * Like {@link realPathInside}, and the file is a regular file: a FIFO put in an image's place would
 * block the read (and a thread of Node's file pool) forever, a device would never end.
 */
export async function realFileInside(folder: string, file: string): Promise<string | null> {
  const real = await realPathInside(folder, file);
  if (!real) return null;
  try {
    return (await stat(real)).isFile() ? real : null;
  } catch {
    return null;
  }
}
