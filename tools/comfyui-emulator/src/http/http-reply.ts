import { STATUS_CODES } from 'node:http';
import { stringifyPythonJson } from '../python/python-json';

/** What a route answers; `writeReply` turns it into bytes on the wire. */
export interface HttpReply {
  status: number;
  headers: Record<string, string>;
  body: Buffer;
  /** Send `Connection: close` and end the socket afterwards (aiohttp does so on 500s). */
  closeConnection?: boolean;
  /** Pace the body at this many bytes per second (slow-download fault). */
  bytesPerSecond?: number;
  /** Send only this many body bytes, then destroy the socket (truncated-download fault). */
  truncateAt?: number;
  /** Runs once the reply is on the wire (e.g. an emulated restart that closes this very connection). */
  afterSend?: () => void;
}

const JSON_TYPE = 'application/json; charset=utf-8';
const TEXT_TYPE = 'text/plain; charset=utf-8';

/** `web.json_response`: Python json.dumps formatting. */
export function jsonReply(value: unknown, status = 200): HttpReply {
  return { status, headers: { 'Content-Type': JSON_TYPE }, body: Buffer.from(stringifyPythonJson(value)) };
}

/** `web.Response(status=…)`: empty body, labelled application/octet-stream by aiohttp. */
export function bareReply(status = 200): HttpReply {
  return { status, headers: { 'Content-Type': 'application/octet-stream' }, body: Buffer.alloc(0) };
}

export function textReply(status: number, text: string, headers: Record<string, string> = {}): HttpReply {
  return { status, headers: { 'Content-Type': TEXT_TYPE, ...headers }, body: Buffer.from(text) };
}

/** aiohttp's HTTPException page, e.g. `404: Not Found`. */
export function statusTextReply(status: number, headers: Record<string, string> = {}): HttpReply {
  return textReply(status, `${status}: ${STATUS_CODES[status] ?? 'Error'}`, headers);
}

/** aiohttp's reply to an unhandled exception; the connection is closed afterwards. */
export function internalErrorReply(accept: string | undefined): HttpReply {
  if (accept?.includes('text/html')) {
    const html =
      '<html><head><title>500 Internal Server Error</title></head><body><h1>500 Internal Server Error</h1>' +
      'Server got itself in trouble</body></html>';
    return { status: 500, headers: { 'Content-Type': 'text/html; charset=utf-8' }, body: Buffer.from(html), closeConnection: true };
  }
  return { ...textReply(500, '500 Internal Server Error\n\nServer got itself in trouble'), closeConnection: true };
}
