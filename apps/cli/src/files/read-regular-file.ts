import * as fs from 'node:fs';

/** The largest file Kiln reads from an output folder: the largest image a download may bring. */
export const MAX_OUTPUT_FILE_BYTES = 256 * 1024 * 1024;

/** The file at a path Kiln reads is not a regular file (a FIFO, a device, a folder) or is too large. */
export class NotARegularFileError extends Error {
  override readonly name = 'NotARegularFileError';
}

/**
 * Reads a file of the output folder (an image, the manifest, a sidecar), refusing what is not a
 * regular file: a FIFO would block `readFileSync` forever and /dev/zero would fill memory. Opened
 * non-blocking and judged by `fstat` of that descriptor, so nothing is swapped in between.
 * Throws ENOENT and the like as they are.
 */
export function readRegularFileSync(file: string, maxBytes: number): Buffer {
  let fd: number;
  try {
    fd = fs.openSync(file, fs.constants.O_RDONLY | (fs.constants.O_NONBLOCK ?? 0));
  } catch (error) {
    // A socket cannot be opened at all.
    if ((error as NodeJS.ErrnoException).code === 'ENXIO') throw new NotARegularFileError(`${file} is a socket, not a regular file`);
    throw error;
  }
  try {
    const stat = fs.fstatSync(fd);
    if (!stat.isFile()) throw new NotARegularFileError(`${file} is ${stat.isFIFO() ? 'a FIFO (named pipe)' : stat.isDirectory() ? 'a folder' : 'a device'}, not a regular file`);
    if (stat.size > maxBytes) throw new NotARegularFileError(`${file} is ${stat.size} bytes, more than the ${maxBytes} Kiln reads there`);
    const bytes = Buffer.alloc(stat.size);
    let filled = 0;
    while (filled < bytes.length) {
      const read = fs.readSync(fd, bytes, filled, bytes.length - filled, filled);
      if (read === 0) break;
      filled += read;
    }
    return bytes.subarray(0, filled);
  } finally {
    fs.closeSync(fd);
  }
}
