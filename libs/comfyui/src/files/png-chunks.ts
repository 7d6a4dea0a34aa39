import { crc32 } from 'node:zlib';

/**
 * Why a PNG is not whole, or undefined: every chunk is walked and its CRC checked, the first is
 * IHDR and the file ends exactly after IEND. A signature followed by garbage, a truncated download
 * or a flipped byte all fail here, before the image counts.
 */
export function pngProblem(bytes: Uint8Array): string | undefined {
  let at = 8;
  let first = true;
  while (at + 12 <= bytes.length) {
    const view = new DataView(bytes.buffer, bytes.byteOffset + at, 8);
    const length = view.getUint32(0);
    const type = String.fromCharCode(...bytes.subarray(at + 4, at + 8));
    const end = at + 12 + length;
    if (end > bytes.length) return `chunk ${JSON.stringify(type)} at byte ${at} runs past the end`;
    if (first && type !== 'IHDR') return `the first chunk is ${JSON.stringify(type)}, not IHDR`;
    const stored = new DataView(bytes.buffer, bytes.byteOffset + end - 4, 4).getUint32(0);
    if (crc32(bytes.subarray(at + 4, end - 4)) !== stored) return `chunk ${JSON.stringify(type)} at byte ${at} has a wrong CRC`;
    if (type === 'IEND') return end === bytes.length ? undefined : `${bytes.length - end} bytes follow IEND`;
    first = false;
    at = end;
  }
  return 'it ends before its IEND chunk';
}
