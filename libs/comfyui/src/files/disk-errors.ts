import { dirname } from 'node:path';

/** Local disk failures that pass once a person frees space or fixes permissions. */
const PASSING = new Set(['ENOSPC', 'EDQUOT', 'EACCES', 'EPERM', 'EROFS', 'EIO', 'EMFILE', 'ENFILE', 'EBUSY']);

/** True for a disk error worth retrying later (full disk, permissions, too many open files). */
export function isPassingDiskError(error: unknown): boolean {
  return PASSING.has((error as NodeJS.ErrnoException | null)?.code ?? '');
}

/** "disk full at /out" and the like: what happened and where, in words a person acts on. */
export function describeDiskError(error: unknown, target: string): string {
  const code = (error as NodeJS.ErrnoException | null)?.code;
  const folder = dirname(target);
  switch (code) {
    case 'ENOSPC':
    case 'EDQUOT':
      return `disk full at ${folder} (${code}); free some space`;
    case 'EACCES':
    case 'EPERM':
      return `no permission to write in ${folder} (${code}); fix the folder's permissions`;
    case 'EROFS':
      return `${folder} is on a read-only file system; choose another output folder`;
    default:
      return `writing ${target} failed: ${(error as Error).message}`;
  }
}
