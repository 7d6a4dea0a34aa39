import { isRecord } from './validate';

/** server.py `BinaryEventTypes` that carry an encoded image. */
const PREVIEW_IMAGE = 1;
const PREVIEW_IMAGE_WITH_METADATA = 4;
/** `send_image`'s image type after the event number: 1 JPEG, 2 PNG. */
const IMAGE_TYPES: Record<number, string> = { 1: 'image/jpeg', 2: 'image/png' };
/** A metadata JSON longer than this is not ComfyUI's (it holds five ids and a mime type). */
const MAX_METADATA_BYTES = 64 * 1024;

/**
 * One image a server sent as a binary WebSocket frame: a preview, or a full image of
 * `SaveImageWebsocket` (custom_nodes/websocket_image_save.py sends its images as previews).
 */
export interface SocketImage {
  mimeType: string;
  bytes: Buffer;
  /** Only in `PREVIEW_IMAGE_WITH_METADATA` frames; plain previews belong to the node executing. */
  nodeId?: string;
  promptId?: string;
}

export type ParsedBinaryFrame = { image: SocketImage } | { ignored: string };

/**
 * Reads a binary frame: a 4-byte big-endian event type, then for `PREVIEW_IMAGE` a 4-byte image type
 * and the image, for `PREVIEW_IMAGE_WITH_METADATA` a 4-byte JSON length, the JSON and the image.
 * Other events (text, unencoded previews) and malformed frames are reported as ignored, never thrown.
 */
export function parseBinaryFrame(frame: Buffer): ParsedBinaryFrame {
  if (frame.length < 8) return { ignored: `binary frame of ${frame.length} bytes` };
  const event = frame.readUInt32BE(0);
  if (event === PREVIEW_IMAGE) {
    const mimeType = IMAGE_TYPES[frame.readUInt32BE(4)];
    if (!mimeType) return { ignored: `preview image of unknown type ${frame.readUInt32BE(4)}` };
    return { image: { mimeType, bytes: frame.subarray(8) } };
  }
  if (event === PREVIEW_IMAGE_WITH_METADATA) {
    const length = frame.readUInt32BE(4);
    if (length > MAX_METADATA_BYTES || 8 + length > frame.length) return { ignored: `preview metadata length ${length} does not fit the frame` };
    let metadata: unknown;
    try {
      metadata = JSON.parse(frame.subarray(8, 8 + length).toString('utf8'));
    } catch {
      return { ignored: 'preview metadata is not JSON' };
    }
    if (!isRecord(metadata)) return { ignored: 'preview metadata is not an object' };
    const text = (key: string): string | undefined => (typeof metadata[key] === 'string' ? (metadata[key] as string) : undefined);
    const mimeType = text('image_type');
    if (mimeType !== 'image/png' && mimeType !== 'image/jpeg') return { ignored: `preview image of type ${String(metadata['image_type'])}` };
    return { image: { mimeType, bytes: frame.subarray(8 + length), nodeId: text('real_node_id') ?? text('node_id'), promptId: text('prompt_id') } };
  }
  return { ignored: `binary event ${event}` };
}
