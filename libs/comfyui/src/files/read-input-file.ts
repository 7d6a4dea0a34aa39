import { constants } from 'node:fs';
import { open } from 'node:fs/promises';

/** Largest file a job uploads: the largest image a download may bring (the client's `maxDownloadBytes` default). */
const MAX_UPLOAD_BYTES = 256 * 1024 * 1024;

/** What a job uploads a file for: the item's `image:` or `mask:`, or the parent image of a child generation. */
export type UploadRole = 'image' | 'mask' | 'parent';

/** A file a job was to upload is not an image file Kiln can send (a FIFO, a device, a folder, too large). */
export class InputFileError extends Error {
  override readonly name = 'InputFileError';
  readonly code = 'INPUT_FILE_UNUSABLE';

  constructor(
    problem: string,
    /** What a person does about it, before retrying the job. */
    readonly fix: string,
  ) {
    super(problem);
  }
}

/**
 * Reads a file a job uploads, refusing anything but a regular file of bounded size. The spec was
 * checked when the run was made, but the file may have been replaced since: a FIFO would block the
 * read forever and /dev/zero would grow memory until the process dies. Opened non-blocking (a FIFO
 * without a writer opens at once) and judged by `fstat` of that very descriptor, so nothing can be
 * swapped in between the check and the read.
 */
export async function readInputFile(localPath: string, role: UploadRole | undefined): Promise<Buffer> {
  let handle;
  try {
    handle = await open(localPath, constants.O_RDONLY | (constants.O_NONBLOCK ?? 0));
  } catch (error) {
    // A socket file cannot be opened at all.
    if ((error as NodeJS.ErrnoException).code === 'ENXIO') throw new InputFileError(`${describeRole(role, localPath)} is a socket, not a regular file`, fixFor(role));
    throw error;
  }
  try {
    const stat = await handle.stat();
    if (!stat.isFile()) throw new InputFileError(`${describeRole(role, localPath)} is ${kindOf(stat)}, not a regular file`, fixFor(role));
    if (stat.size > MAX_UPLOAD_BYTES) {
      throw new InputFileError(`${describeRole(role, localPath)} is ${stat.size} bytes, over the ${MAX_UPLOAD_BYTES} bytes an upload may have`, fixFor(role));
    }
    const bytes = Buffer.alloc(stat.size);
    let filled = 0;
    while (filled < bytes.length) {
      const { bytesRead } = await handle.read(bytes, filled, bytes.length - filled, filled);
      if (bytesRead === 0) break;
      filled += bytesRead;
    }
    return bytes.subarray(0, filled);
  } finally {
    await handle.close();
  }
}

function describeRole(role: UploadRole | undefined, localPath: string): string {
  switch (role) {
    case 'image':
    case 'mask':
      return `the input file ${localPath} (${role}: of the item)`;
    case 'parent':
      return `the parent image ${localPath} (the selected candidate this child generation starts from)`;
    default:
      return `the input file ${localPath}`;
  }
}

function fixFor(role: UploadRole | undefined): string {
  return `put ${role === 'parent' ? "the candidate's image" : 'the image file'} back at that path`;
}

function kindOf(stat: { isFIFO(): boolean; isCharacterDevice(): boolean; isBlockDevice(): boolean; isDirectory(): boolean; isSocket(): boolean }): string {
  if (stat.isFIFO()) return 'a FIFO (named pipe)';
  if (stat.isCharacterDevice() || stat.isBlockDevice()) return 'a device';
  if (stat.isDirectory()) return 'a folder';
  if (stat.isSocket()) return 'a socket';
  return 'not a file';
}
