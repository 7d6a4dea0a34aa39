import { pngProblem } from './png-chunks';

/**
 * The image formats ComfyUI's save nodes write.
 * @internal exported for its spec
 */
export type ImageFormat = 'png' | 'jpeg' | 'webp';

/**
 * Recognises an image by its first bytes; undefined for anything else (HTML error pages, truncation…).
 * @internal exported for its spec
 */
export function detectImageFormat(bytes: Uint8Array): ImageFormat | undefined {
  if (bytes.length >= 8 && bytes[0] === 0x89 && bytes[1] === 0x50 && bytes[2] === 0x4e && bytes[3] === 0x47 && bytes[4] === 0x0d && bytes[5] === 0x0a && bytes[6] === 0x1a && bytes[7] === 0x0a) {
    return 'png';
  }
  if (bytes.length >= 3 && bytes[0] === 0xff && bytes[1] === 0xd8 && bytes[2] === 0xff) return 'jpeg';
  if (bytes.length >= 12 && ascii(bytes, 0, 4) === 'RIFF' && ascii(bytes, 8, 12) === 'WEBP') return 'webp';
  return undefined;
}

/**
 * A PNG must be whole (every chunk's CRC right, ending with IEND), a JPEG end with its EOI marker,
 * a WebP be as long as its RIFF header says: a cut-off or garbled download is not an image.
 */
export function isCompleteImage(bytes: Uint8Array): boolean {
  const format = detectImageFormat(bytes);
  if (format === 'png') return pngProblem(bytes) === undefined;
  if (format === 'jpeg') return bytes[bytes.length - 2] === 0xff && bytes[bytes.length - 1] === 0xd9;
  if (format === 'webp') return new DataView(bytes.buffer, bytes.byteOffset + 4, 4).getUint32(0, true) + 8 === bytes.length;
  return false;
}

function ascii(bytes: Uint8Array, from: number, to: number): string {
  return String.fromCharCode(...bytes.subarray(from, to));
}
