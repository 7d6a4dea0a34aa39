import { WebSocket } from 'ws';

export interface HttpResult {
  status: number;
  headers: Headers;
  text: string;
  json<T = unknown>(): T;
}

/** A small fetch wrapper for specs (no Origin header, like Node clients). */
export async function request(url: string, init: RequestInit = {}): Promise<HttpResult> {
  const response = await fetch(url, init);
  const text = await response.text();
  return { status: response.status, headers: response.headers, text, json: <T>() => JSON.parse(text) as T };
}

export function postJson(url: string, body: unknown): Promise<HttpResult> {
  return request(url, { method: 'POST', body: typeof body === 'string' ? body : JSON.stringify(body) });
}

export interface WsMessage {
  type: string;
  data: Record<string, unknown>;
}

/** A WebSocket that records every JSON message it receives. */
export class RecordingSocket {
  readonly messages: WsMessage[] = [];
  /** Binary frames (preview images), in arrival order. */
  readonly binary: Buffer[] = [];
  closed = false;
  closeCode: number | undefined;

  private constructor(readonly ws: WebSocket) {
    ws.on('message', (data, isBinary) => {
      if (!isBinary) this.messages.push(JSON.parse(data.toString()) as WsMessage);
      else this.binary.push(Buffer.from(data as Buffer));
    });
    ws.on('close', (code) => {
      this.closed = true;
      this.closeCode = code;
    });
    ws.on('error', () => undefined);
  }

  static async open(baseUrl: string, clientId?: string): Promise<RecordingSocket> {
    const query = clientId === undefined ? '' : `?clientId=${encodeURIComponent(clientId)}`;
    const ws = new WebSocket(`${baseUrl.replace(/^http/, 'ws')}/ws${query}`);
    const socket = new RecordingSocket(ws);
    await new Promise<void>((resolve, reject) => {
      ws.once('open', () => resolve());
      ws.once('error', reject);
    });
    await socket.waitFor((m) => m.type === 'status');
    return socket;
  }

  /** Resolves with the first recorded message matching `predicate` (already received or future). */
  waitFor(predicate: (message: WsMessage) => boolean, timeoutMs = 5000): Promise<WsMessage> {
    return waitUntil(() => this.messages.find(predicate), timeoutMs);
  }

  /** Waits for the `executing {node: null}` that ends this prompt. */
  waitForDone(promptId: string, timeoutMs = 5000): Promise<WsMessage> {
    return this.waitFor((m) => m.type === 'executing' && m.data.node === null && m.data.prompt_id === promptId, timeoutMs);
  }

  forPrompt(promptId: string): WsMessage[] {
    return this.messages.filter((m) => m.data.prompt_id === promptId);
  }

  close(): Promise<void> {
    if (this.closed) return Promise.resolve();
    return new Promise((resolve) => {
      this.ws.once('close', () => resolve());
      this.ws.close();
    });
  }
}

export async function waitUntil<T>(probe: () => T | undefined | Promise<T | undefined>, timeoutMs = 5000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined && value !== false) return value;
    if (Date.now() > deadline) throw new Error('waitUntil: timed out');
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

/** Polls /history/{id} until the prompt has finished. */
export async function waitForHistory(baseUrl: string, promptId: string, timeoutMs = 5000): Promise<Record<string, unknown>> {
  return waitUntil(async () => {
    const history = (await request(`${baseUrl}/history/${promptId}`)).json<Record<string, Record<string, unknown>>>();
    return history[promptId];
  }, timeoutMs);
}
