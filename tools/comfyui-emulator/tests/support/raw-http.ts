import * as http from 'node:http';

export interface RawResponse {
  status: number;
  body: Buffer;
}

/** A GET on a brand-new TCP connection (no keep-alive pool), to observe connection-level faults. */
export function rawGet(url: string): Promise<RawResponse> {
  return new Promise((resolve, reject) => {
    const req = http.get(url, { agent: false }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks) }));
      res.on('error', reject);
      res.on('aborted', () => reject(new Error('aborted')));
    });
    req.on('error', reject);
  });
}
