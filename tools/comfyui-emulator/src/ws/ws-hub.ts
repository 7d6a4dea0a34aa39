import { randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type WebSocket } from 'ws';
import { stringifyPythonJson } from '../python/python-json';

export const FEATURE_FLAGS = { supports_preview_metadata: true, max_upload_size: 104857600 };

/** server.py `BinaryEventTypes`. */
const BINARY_EVENT = { PREVIEW_IMAGE: 1, PREVIEW_IMAGE_WITH_METADATA: 4 } as const;
/** `send_image`'s image type number after the event: 1 JPEG, 2 PNG. */
const PNG_IMAGE_TYPE = 2;

/** Where a preview image came from, for clients that announced `supports_preview_metadata`. */
export interface PreviewMetadata {
  node_id: string;
  prompt_id: string;
  display_node_id: string;
  parent_node_id: string | null;
  real_node_id: string;
}

function binaryFrame(event: number, payload: Buffer): Buffer {
  const header = Buffer.alloc(4);
  header.writeUInt32BE(event);
  return Buffer.concat([header, payload]);
}

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
  private readonly previewMetadataClients = new WeakSet<WebSocket>();

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
        const message = JSON.parse(data.toString()) as { type?: unknown; data?: { supports_preview_metadata?: unknown } };
        if (message.type === 'feature_flags') {
          if (message.data?.supports_preview_metadata === true) this.previewMetadataClients.add(ws);
          this.sendTo(ws, 'feature_flags', FEATURE_FLAGS);
        }
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

  /**
   * A PNG preview as the progress hook sends it: `PREVIEW_IMAGE` + image type 2 + PNG bytes, or, to a
   * client that announced `supports_preview_metadata`, `PREVIEW_IMAGE_WITH_METADATA` + metadata length + JSON + PNG.
   */
  sendPreviewImage(png: Buffer, sid: string | null, metadata: PreviewMetadata): void {
    const targets = sid === null ? [...this.routes.values()] : [this.routes.get(sid)].filter((ws) => ws !== undefined);
    for (const ws of targets) {
      if (ws.readyState !== ws.OPEN) continue;
      if (this.previewMetadataClients.has(ws)) {
        const json = Buffer.from(stringifyPythonJson({ ...metadata, image_type: 'image/png' }), 'utf8');
        const length = Buffer.alloc(4);
        length.writeUInt32BE(json.length);
        ws.send(binaryFrame(BINARY_EVENT.PREVIEW_IMAGE_WITH_METADATA, Buffer.concat([length, json, png])));
      } else {
        const imageType = Buffer.alloc(4);
        imageType.writeUInt32BE(PNG_IMAGE_TYPE);
        ws.send(binaryFrame(BINARY_EVENT.PREVIEW_IMAGE, Buffer.concat([imageType, png])));
      }
    }
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
