import { crc32, deflateSync } from 'node:zlib';
import { detectImageFormat, isCompleteImage } from './image-signature';

function chunk(type: string, data: Buffer): Buffer {
  const head = Buffer.alloc(4);
  head.writeUInt32BE(data.length);
  const body = Buffer.concat([Buffer.from(type, 'latin1'), data]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(body));
  return Buffer.concat([head, body, crc]);
}

/** A real 1×1 grey PNG. */
const ihdr = Buffer.from([0, 0, 0, 1, 0, 0, 0, 1, 8, 0, 0, 0, 0]);
const png = Buffer.concat([
  Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
  chunk('IHDR', ihdr),
  chunk('IDAT', deflateSync(Buffer.from([0, 128]))),
  chunk('IEND', Buffer.alloc(0)),
]);

describe('image signatures', () => {
  it('recognises PNG, JPEG and WebP by their first bytes', () => {
    expect(detectImageFormat(png)).toBe('png');
    expect(detectImageFormat(Buffer.from([0xff, 0xd8, 0xff, 0xe0, 0, 0]))).toBe('jpeg');
    expect(detectImageFormat(Buffer.from('RIFF\0\0\0\0WEBPVP8 '))).toBe('webp');
  });

  it('refuses an HTML error page and an empty body', () => {
    expect(detectImageFormat(Buffer.from('<html>502 Bad Gateway</html>'))).toBeUndefined();
    expect(detectImageFormat(Buffer.alloc(0))).toBeUndefined();
  });

  it('sees that a PNG cut off before IEND is incomplete', () => {
    expect(isCompleteImage(png)).toBe(true);
    expect(isCompleteImage(png.subarray(0, png.length - 10))).toBe(false);
  });

  it('refuses a PNG signature followed by garbage that happens to end in IEND', () => {
    const garbage = Buffer.concat([png.subarray(0, 8), Buffer.alloc(64, 0x41), png.subarray(png.length - 12)]);

    expect(isCompleteImage(garbage)).toBe(false);
  });

  it('refuses a PNG with one flipped byte in a chunk, or bytes after IEND', () => {
    const flipped = Buffer.from(png);
    flipped[40] ^= 0xff;

    expect(isCompleteImage(flipped)).toBe(false);
    expect(isCompleteImage(Buffer.concat([png, Buffer.from('x')]))).toBe(false);
  });

  it('refuses a WebP shorter than its RIFF header says', () => {
    const webp = Buffer.from('RIFF\x0c\0\0\0WEBPVP8 \0\0\0\0', 'latin1');

    expect(isCompleteImage(webp)).toBe(true);
    expect(isCompleteImage(webp.subarray(0, 16))).toBe(false);
  });
});
