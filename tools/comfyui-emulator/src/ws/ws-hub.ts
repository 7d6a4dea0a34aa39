import { randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type WebSocket } from 'ws';
import { stringifyPythonJson } from '../python/python-json';

export const FEATURE_FLAGS = { supports_preview_metadata: true, max_upload_size: 104857600 };

export interface WsHubHooks {
  queueRemaining(): number;
  /** The running prompt's client and node, for the "reconnect mid-run" `executing` frame. */
  runningNodeFor(sid: string): string | undefined;
  log(message: string): void;
}

/**
 * ComfyUI's socket table: `sid → socket`. A second socket with the same clientId replaces the first
 * in the table (the old one stays open but deaf), and closing either removes the entry, as in server.py.
 */
export class WsHub {
  private readonly server = new WebSocketServer({ noServer: true });
  private readonly routes = new Map<string, WebSocket>();
  private readonly open = new Set<WebSocket>();

  constructor(private readonly hooks: WsHubHooks) {}

  connectionCount(): number {
    return this.open.size;
  }

  handleUpgrade(request: IncomingMessage, socket: Duplex, head: Buffer, clientId: string | null): void {
    this.server.handleUpgrade(request, socket, head, (ws) => this.accept(ws, clientId));
  }

  private accept(ws: WebSocket, clientId: string | null): void {
    const sid = clientId ? clientId : randomUUID().replace(/-/g, '');
    this.routes.set(sid, ws);
    this.open.add(ws);
    let firstTextFrame = true;
    ws.on('message', (data, isBinary) => {
      if (isBinary || !firstTextFrame) return;
      firstTextFrame = false;
      try {
        const message = JSON.parse(data.toString()) as { type?: unknown };
        if (message.type === 'feature_flags') this.sendTo(ws, 'feature_flags', FEATURE_FLAGS);
      } catch {
        this.hooks.log(`ws ${sid}: invalid JSON from client ignored`);
      }
    });
    ws.on('close', () => {
      this.open.delete(ws);
      this.routes.delete(sid);
    });
    ws.on('error', () => undefined);
    this.sendTo(ws, 'status', { status: { exec_info: { queue_remaining: this.hooks.queueRemaining() } }, sid });
    const runningNode = this.hooks.runningNodeFor(sid);
    if (runningNode !== undefined) this.sendTo(ws, 'executing', { node: runningNode });
  }

  /** `send_sync(event, data, sid)`: to one sid (dropped if not connected), or to all when sid is null. */
  send(type: string, data: unknown, sid: string | null): void {
    if (sid === null) {
      for (const ws of this.routes.values()) this.sendTo(ws, type, data);
      return;
    }
    const ws = this.routes.get(sid);
    if (ws) this.sendTo(ws, type, data);
  }

  broadcastStatus(): void {
    this.send('status', { status: { exec_info: { queue_remaining: this.hooks.queueRemaining() } } }, null);
  }

  /** Kills every socket abruptly, as a crashed or restarted server would (clients see code 1006). */
  dropAll(): void {
    for (const ws of this.open) ws.terminate();
    this.open.clear();
    this.routes.clear();
  }

  close(): Promise<void> {
    this.dropAll();
    return new Promise((resolve) => this.server.close(() => resolve()));
  }

  private sendTo(ws: WebSocket, type: string, data: unknown): void {
    if (ws.readyState !== ws.OPEN) return;
    ws.send(stringifyPythonJson({ type, data }));
  }
}
