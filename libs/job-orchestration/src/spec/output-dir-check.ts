import * as fs from 'node:fs';
import * as path from 'node:path';

/**
 * Why images cannot be written under `dir`, or undefined: it, or the nearest part of it that
 * exists, is a file rather than a folder (writing there fails later with a bare ENOTDIR).
 */
export function outputDirProblem(dir: string): string | undefined {
  for (let at = dir; ; at = path.dirname(at)) {
    let stat: fs.Stats;
    try {
      stat = fs.statSync(at);
    } catch {
      if (path.dirname(at) === at) return undefined;
      continue;
    }
    if (stat.isDirectory()) return undefined;
    return at === dir ? `${dir} is a file, not a folder` : `${at} is a file, so ${dir} cannot be created under it`;
  }
}
