import * as zlib from 'node:zlib';
import { PNG_SIGNATURE } from './png-encoder';

export interface DecodedPng {
  width: number;
  height: number;
  /** Packed 8-bit RGB. */
  rgb: Uint8Array;
  /** Packed 8-bit alpha, when the file had any. */
  alpha?: Uint8Array;
  text: Record<string, string>;
}

const CHANNELS_BY_COLOR_TYPE: Record<number, number> = { 0: 1, 2: 3, 4: 2, 6: 4 };

function paeth(a: number, b: number, c: number): number {
  const p = a + b - c;
  const pa = Math.abs(p - a);
  const pb = Math.abs(p - b);
  const pc = Math.abs(p - c);
  return pa <= pb && pa <= pc ? a : pb <= pc ? b : c;
}

/**
 * Decodes the PNGs the emulator meets (8-bit gray, gray+alpha, RGB, RGBA, non-interlaced).
 * Returns undefined for anything else; callers then fall back to a pattern made from the file hash.
 */
export function decodePng(file: Buffer): DecodedPng | undefined {
  if (file.length < 8 || !file.subarray(0, 8).equals(PNG_SIGNATURE)) return undefined;
  let offset = 8;
  let width = 0;
  let height = 0;
  let channels = 0;
  const idat: Buffer[] = [];
  const text: Record<string, string> = {};
  while (offset + 8 <= file.length) {
    const length = file.readUInt32BE(offset);
    const type = file.toString('latin1', offset + 4, offset + 8);
    const data = file.subarray(offset + 8, offset + 8 + length);
    offset += 12 + length;
    if (type === 'IHDR') {
      width = data.readUInt32BE(0);
      height = data.readUInt32BE(4);
      const bitDepth = data[8];
      channels = CHANNELS_BY_COLOR_TYPE[data[9]] ?? 0;
      if (bitDepth !== 8 || channels === 0 || data[12] !== 0) return undefined;
    } else if (type === 'IDAT') {
      idat.push(data);
    } else if (type === 'tEXt') {
      const zero = data.indexOf(0);
      if (zero > 0) text[data.toString('latin1', 0, zero)] = data.toString('latin1', zero + 1);
    } else if (type === 'IEND') {
      break;
    }
  }
  if (width === 0 || height === 0 || channels === 0) return undefined;
  let raw: Buffer;
  try {
    raw = zlib.inflateSync(Buffer.concat(idat));
  } catch {
    return undefined;
  }
  const stride = width * channels;
  if (raw.length < (stride + 1) * height) return undefined;
  const pixels = new Uint8Array(stride * height);
  for (let y = 0; y < height; y++) {
    const filter = raw[y * (stride + 1)];
    const row = y * stride;
    const src = y * (stride + 1) + 1;
    for (let x = 0; x < stride; x++) {
      const left = x >= channels ? pixels[row + x - channels] : 0;
      const up = y > 0 ? pixels[row - stride + x] : 0;
      const upLeft = y > 0 && x >= channels ? pixels[row - stride + x - channels] : 0;
      const value = raw[src + x];
      const predictor =
        filter === 1 ? left : filter === 2 ? up : filter === 3 ? (left + up) >> 1 : filter === 4 ? paeth(left, up, upLeft) : 0;
      pixels[row + x] = (value + predictor) & 0xff;
    }
  }
  const rgb = new Uint8Array(width * height * 3);
  const hasAlpha = channels === 2 || channels === 4;
  const alpha = hasAlpha ? new Uint8Array(width * height) : undefined;
  for (let i = 0; i < width * height; i++) {
    const p = i * channels;
    if (channels <= 2) {
      rgb[i * 3] = rgb[i * 3 + 1] = rgb[i * 3 + 2] = pixels[p];
    } else {
      rgb[i * 3] = pixels[p];
      rgb[i * 3 + 1] = pixels[p + 1];
      rgb[i * 3 + 2] = pixels[p + 2];
    }
    if (alpha) alpha[i] = pixels[p + channels - 1];
  }
  return { width, height, rgb, alpha, text };
}
