import type { IncomingMessage } from 'node:http';

export class BodyTooLargeError extends Error {
  constructor(
    readonly limit: number,
    readonly actual: number,
  ) {
    super(`Maximum request body size ${limit} exceeded, actual body size ${actual}`);
  }
}

/** Reads the whole request body; rejects with BodyTooLargeError past `limit` bytes (aiohttp client_max_size). */
export function readBody(request: IncomingMessage, limit: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const declared = Number(request.headers['content-length'] ?? '0');
    if (declared > limit) {
      request.resume();
      reject(new BodyTooLargeError(limit, declared));
      return;
    }
    const chunks: Buffer[] = [];
    let size = 0;
    let failed = false;
    request.on('data', (chunk: Buffer) => {
      if (failed) return;
      size += chunk.length;
      if (size > limit) {
        failed = true;
        reject(new BodyTooLargeError(limit, size));
        return;
      }
      chunks.push(chunk);
    });
    request.on('end', () => {
      if (!failed) resolve(Buffer.concat(chunks));
    });
    request.on('error', (error) => {
      if (!failed) reject(error);
    });
  });
}
