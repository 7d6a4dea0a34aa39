import { crc32 } from './crc32';
import { decodePng } from './png-decoder';
import { encodePng } from './png-encoder';

describe('encodePng', () => {
  it('round-trips pixels and tEXt chunks through the decoder', () => {
    const pixels = Uint8Array.from({ length: 4 * 3 * 3 }, (_, i) => (i * 37) % 256);

    const png = encodePng({ width: 4, height: 3, pixels, channels: 3, text: [['prompt', '{"1": {}}']] });
    const decoded = decodePng(png);

    expect(decoded?.width).toBe(4);
    expect(Buffer.from(decoded?.rgb ?? []).equals(Buffer.from(pixels))).toBe(true);
    expect(decoded?.text).toEqual({ prompt: '{"1": {}}' });
  });

  it('computes the standard CRC-32', () => {
    expect(crc32(Buffer.from('123456789'))).toBe(0xcbf43926);
  });
});
