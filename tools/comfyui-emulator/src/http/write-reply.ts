import type { ServerResponse } from 'node:http';
import type { HttpReply } from './http-reply';

const SERVER_HEADER = 'Python/3.11 aiohttp/3.8.4';
const THROTTLE_TICK_MS = 50;

/** Writes a reply, honouring the slow and truncated download faults. */
export function writeReply(response: ServerResponse, reply: HttpReply, isHead: boolean): void {
  const headers: Record<string, string> = {
    ...reply.headers,
    'Content-Length': String(reply.body.length),
    Date: new Date().toUTCString(),
    Server: SERVER_HEADER,
  };
  if (reply.closeConnection) headers.Connection = 'close';
  response.writeHead(reply.status, headers);
  if (isHead || reply.body.length === 0) {
    response.end();
    return;
  }
  if (reply.truncateAt !== undefined) {
    response.write(reply.body.subarray(0, reply.truncateAt), () => response.destroy());
    return;
  }
  if (reply.bytesPerSecond && reply.bytesPerSecond > 0) {
    const chunkSize = Math.max(1, Math.floor((reply.bytesPerSecond * THROTTLE_TICK_MS) / 1000));
    let offset = 0;
    const tick = () => {
      if (response.destroyed) return;
      const end = Math.min(reply.body.length, offset + chunkSize);
      const chunk = reply.body.subarray(offset, end);
      offset = end;
      if (offset >= reply.body.length) {
        response.end(chunk);
        return;
      }
      response.write(chunk);
      setTimeout(tick, THROTTLE_TICK_MS);
    };
    tick();
    return;
  }
  response.end(reply.body);
}
