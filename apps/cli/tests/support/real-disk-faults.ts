import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

// Real disk faults, no injected writer: a small tmpfs that another program fills (ENOSPC), and a
// folder kiln may not write because it runs without root's permission bypass (EACCES). Making
// either needs root, as CI has.

/** Why these faults cannot be made on this machine, or undefined when they can. */
export function whyNoRealDiskFaults(): string | undefined {
  if (process.getuid?.() !== 0) return 'needs root, to mount a small tmpfs and to drop capabilities with setpriv';
  const probe = fs.mkdtempSync(path.join(os.tmpdir(), 'kiln-tmpfs-probe-'));
  try {
    mountSmallDisk(probe, 64 * 1024);
    unmount(probe);
    return undefined;
  } catch (error) {
    return `cannot mount a tmpfs here: ${(error as Error).message.split('\n')[0]}`;
  } finally {
    fs.rmSync(probe, { recursive: true, force: true });
  }
}

/** Mounts a tmpfs of `bytes` at `dir` (created when missing). */
export function mountSmallDisk(dir: string, bytes: number): void {
  fs.mkdirSync(dir, { recursive: true });
  execFileSync('mount', ['-t', 'tmpfs', '-o', `size=${bytes},mode=0755`, 'tmpfs', dir], { stdio: 'pipe' });
}

export function unmount(dir: string): void {
  try {
    execFileSync('umount', [dir], { stdio: 'pipe' });
  } catch {
    execFileSync('umount', ['-l', dir], { stdio: 'pipe' });
  }
}

/**
 * Writes `file` until its file system has no room left, as another program filling the disk would,
 * then gives back `leaveBlocks` blocks (a tmpfs block is a page; each small file takes one).
 */
export function fillDisk(file: string, leaveBlocks = 0): void {
  const fd = fs.openSync(file, 'w');
  const chunk = Buffer.alloc(64 * 1024);
  try {
    for (;;) fs.writeSync(fd, chunk);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOSPC') throw error;
    fs.ftruncateSync(fd, fs.fstatSync(fd).size - leaveBlocks * fs.statfsSync(file).bsize);
  } finally {
    fs.closeSync(fd);
  }
}
