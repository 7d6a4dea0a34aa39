import { parseBinaryFrame } from './binary-frames';

const PNG = Buffer.from('89504e470d0a1a0a0000000d49484452', 'hex');

function u32(value: number): Buffer {
  const b = Buffer.alloc(4);
  b.writeUInt32BE(value);
  return b;
}

describe('parseBinaryFrame (server.py send_image / send_image_with_metadata)', () => {
  it('reads a PREVIEW_IMAGE frame: event 1, image type 2 (PNG), the image', () => {
    expect(parseBinaryFrame(Buffer.concat([u32(1), u32(2), PNG]))).toEqual({ image: { mimeType: 'image/png', bytes: PNG } });
    expect(parseBinaryFrame(Buffer.concat([u32(1), u32(1), PNG]))).toEqual({ image: { mimeType: 'image/jpeg', bytes: PNG } });
  });

  it('reads a PREVIEW_IMAGE_WITH_METADATA frame: event 4, JSON length, the JSON, the image, with its node and prompt', () => {
    const json = Buffer.from(JSON.stringify({ node_id: '57:10', prompt_id: 'p-1', display_node_id: '57', parent_node_id: '57', real_node_id: '57:10', image_type: 'image/png' }));
    expect(parseBinaryFrame(Buffer.concat([u32(4), u32(json.length), json, PNG]))).toEqual({
      image: { mimeType: 'image/png', bytes: PNG, nodeId: '57:10', promptId: 'p-1' },
    });
  });

  it('ignores other events and malformed frames instead of throwing', () => {
    expect(parseBinaryFrame(Buffer.concat([u32(3), Buffer.from('text')]))).toEqual({ ignored: 'binary event 3' });
    expect(parseBinaryFrame(Buffer.from([0, 0]))).toEqual({ ignored: 'binary frame of 2 bytes' });
    expect(parseBinaryFrame(Buffer.concat([u32(1), u32(9), PNG]))).toEqual({ ignored: 'preview image of unknown type 9' });
    expect(parseBinaryFrame(Buffer.concat([u32(4), u32(1_000), PNG]))).toEqual({ ignored: 'preview metadata length 1000 does not fit the frame' });
    expect(parseBinaryFrame(Buffer.concat([u32(4), u32(3), Buffer.from('{{{'), PNG]))).toEqual({ ignored: 'preview metadata is not JSON' });
  });
});
