import * as zlib from 'node:zlib';
import { crc32 } from './crc32';

export const PNG_SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

export interface PngInput {
  width: number;
  height: number;
  /** Tightly packed 8-bit RGB (channels=3) or RGBA (channels=4) rows. */
  pixels: Uint8Array;
  channels: 3 | 4;
  /** tEXt chunks in order, e.g. `prompt` → the API prompt JSON, like ComfyUI's SaveImage. */
  text?: Array<[keyword: string, value: string]>;
  /** zlib level; ComfyUI uses 4 for SaveImage and 1 for PreviewImage. */
  compressLevel?: number;
}

function chunk(type: string, data: Uint8Array): Buffer {
  const header = Buffer.alloc(8);
  header.writeUInt32BE(data.length, 0);
  header.write(type, 4, 'latin1');
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(header.subarray(4), data), 0);
  return Buffer.concat([header, data, crc]);
}

/** Encodes a non-interlaced 8-bit PNG (filter type 0 on every row). */
export function encodePng(input: PngInput): Buffer {
  const { width, height, pixels, channels } = input;
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width, 0);
  ihdr.writeUInt32BE(height, 4);
  ihdr[8] = 8;
  ihdr[9] = channels === 4 ? 6 : 2;
  const stride = width * channels;
  const raw = Buffer.alloc((stride + 1) * height);
  for (let y = 0; y < height; y++) {
    raw[y * (stride + 1)] = 0;
    raw.set(pixels.subarray(y * stride, (y + 1) * stride), y * (stride + 1) + 1);
  }
  const textChunks = (input.text ?? []).map(([keyword, value]) =>
    chunk('tEXt', Buffer.concat([Buffer.from(keyword, 'latin1'), Buffer.from([0]), Buffer.from(value, 'latin1')])),
  );
  return Buffer.concat([
    PNG_SIGNATURE,
    chunk('IHDR', ihdr),
    ...textChunks,
    chunk('IDAT', zlib.deflateSync(raw, { level: input.compressLevel ?? 4 })),
    chunk('IEND', Buffer.alloc(0)),
  ]);
}
