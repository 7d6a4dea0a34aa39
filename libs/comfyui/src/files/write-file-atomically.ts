import { createHash } from 'node:crypto';
import { mkdir, open, readFile, rename, rm } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';

/**
 * Temp name beside the target, fixed per writer key: a retry after a crash overwrites its own
 * leftover instead of leaving a second one, and `*.kiln-part` files are easy to sweep.
 */
export function partPath(target: string, writerKey: string): string {
  return join(dirname(target), `.${basename(target)}.${writerKey}.kiln-part`);
}

/** Writes bytes to a temp file, flushes it, and renames it into place: readers never see half a file. */
export async function writeFileAtomically(target: string, bytes: Uint8Array, writerKey: string): Promise<void> {
  await mkdir(dirname(target), { recursive: true });
  const temp = partPath(target, writerKey);
  try {
    const handle = await open(temp, 'w');
    try {
      await handle.writeFile(bytes);
      await handle.sync();
    } finally {
      await handle.close();
    }
    await rename(temp, target);
  } catch (error) {
    // A full disk fails the write half-way: leave no partial temp file behind.
    await rm(temp, { force: true });
    throw error;
  }
}

/** How images and sidecars reach the disk; a test injects one that fails on demand. */
export type WriteFile = (target: string, bytes: Uint8Array, writerKey: string) => Promise<void>;

export function sha256(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}

/** sha256 of an existing file, or undefined when there is none. */
export async function fileSha256(path: string): Promise<string | undefined> {
  try {
    return sha256(await readFile(path));
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
}
