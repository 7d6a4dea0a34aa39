import { detectImageFormat, isCompleteImage } from './image-signature';

const png = Buffer.concat([
  Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
  Buffer.alloc(16),
  Buffer.from([0, 0, 0, 0]),
  Buffer.from('IEND'),
  Buffer.from([0xae, 0x42, 0x60, 0x82]),
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
});
