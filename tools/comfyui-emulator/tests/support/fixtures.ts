import * as fs from 'node:fs';
import * as path from 'node:path';
import { comfyUiFixturesDir as fixturesDir } from '@kiln/testing';

export interface CapturedResponse {
  status: number;
  headers: Record<string, string>;
  body: Buffer;
}

/** Parses `responses/<name>.http`: status line, headers, blank line, body. */
export function loadCapturedResponse(name: string): CapturedResponse {
  const raw = fs.readFileSync(path.join(fixturesDir(), 'responses', `${name}.http`));
  const crlf = raw.indexOf('\r\n\r\n');
  const split = crlf >= 0 ? crlf : raw.indexOf('\n\n');
  const separatorLength = crlf >= 0 ? 4 : 2;
  const head = raw.subarray(0, split).toString('latin1').split(/\r?\n/);
  const status = Number(head[0].split(' ')[1]);
  const headers: Record<string, string> = {};
  for (const line of head.slice(1)) {
    const colon = line.indexOf(':');
    headers[line.slice(0, colon).toLowerCase()] = line.slice(colon + 1).trim();
  }
  let body = raw.subarray(split + separatorLength);
  const length = Number(headers['content-length'] ?? body.length);
  body = body.subarray(0, length);
  return { status, headers, body };
}

export function capturedJson(name: string): unknown {
  return JSON.parse(loadCapturedResponse(name).body.toString('utf8'));
}

export function loadWorkflow(name: string): Record<string, unknown> {
  return JSON.parse(fs.readFileSync(path.join(fixturesDir(), 'workflows', `${name}.json`), 'utf8'));
}

export function workflowFile(name: string): Buffer {
  return fs.readFileSync(path.join(fixturesDir(), 'workflows', name));
}

export interface WsTraceLine {
  t_ms: number;
  dir: 'in' | 'http' | 'event';
  message?: { type: string; data: Record<string, unknown> };
  body?: Record<string, unknown>;
  event?: string;
}

export function loadWsTrace(name: string): WsTraceLine[] {
  return fs
    .readFileSync(path.join(fixturesDir(), 'responses', `${name}.jsonl`), 'utf8')
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => JSON.parse(line) as WsTraceLine);
}

/** A raw captured body file under `responses/`, e.g. a /view PNG. */
export function capturedFile(name: string): Buffer {
  return fs.readFileSync(path.join(fixturesDir(), 'responses', name));
}
