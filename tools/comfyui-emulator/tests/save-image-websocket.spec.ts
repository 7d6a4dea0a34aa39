import { WebSocket } from 'ws';
import { decodePng } from '../src/image/png-decoder';
import { startEmulator, type RunningEmulator } from '../src/index';
import { RecordingSocket, waitUntil } from './support/client';
import { loadTestWorkflow, runWorkflow } from './support/run-workflow';

function websocketWorkflow(batchSize: number) {
  const workflow = loadTestWorkflow('flux-fp8-checkpoint');
  workflow['27'].inputs.batch_size = batchSize;
  workflow['9'] = { class_type: 'SaveImageWebsocket', inputs: { images: ['8', 0] } };
  return workflow;
}

// server.py: a binary message is a 4-byte big-endian event type, then the payload; send_image's
// payload for PREVIEW_IMAGE (1) is a 4-byte image type (2 = PNG) and the PNG bytes.
describe('SaveImageWebsocket (ComfyUI custom_nodes/websocket_image_save.py)', () => {
  let emulator: RunningEmulator;

  beforeEach(async () => {
    emulator = await startEmulator({ customNodes: ['SaveImageWebsocket'] });
  });

  afterEach(() => emulator.close());

  it('sends each image as a PREVIEW_IMAGE binary frame after its progress message and records no output', async () => {
    const socket = await RecordingSocket.open(emulator.url, 'ws-client');
    try {
      const run = await runWorkflow(emulator.url, websocketWorkflow(2), 'ws-client');
      await socket.waitForDone(run.promptId);

      expect(run.status).toBe('success');
      expect(run.outputs).toEqual({});
      expect(socket.binary).toHaveLength(2);
      for (const frame of socket.binary) {
        expect([frame.readUInt32BE(0), frame.readUInt32BE(4)]).toEqual([1, 2]);
        const png = decodePng(frame.subarray(8));
        expect([png?.width, png?.height]).toEqual([96, 96]);
      }
      expect(socket.binary[0].equals(socket.binary[1])).toBe(false);
      const progress = socket.forPrompt(run.promptId).filter((m) => m.type === 'progress' && m.data.node === '9');
      expect(progress.map((m) => [m.data.value, m.data.max])).toEqual([[0, 2], [1, 2]]);
    } finally {
      await socket.close();
    }
  });

  it('runs again on an identical resubmit (IS_CHANGED is the time) while the rest comes from cache', async () => {
    const socket = await RecordingSocket.open(emulator.url, 'ws-client');
    try {
      const firstRun = await runWorkflow(emulator.url, websocketWorkflow(1), 'ws-client');
      const secondRun = await runWorkflow(emulator.url, websocketWorkflow(1), 'ws-client');
      await socket.waitForDone(secondRun.promptId);

      expect(socket.binary).toHaveLength(2);
      expect(socket.binary[0].equals(socket.binary[1])).toBe(true);
      const cached = socket.forPrompt(secondRun.promptId).find((m) => m.type === 'execution_cached');
      expect(cached?.data.nodes).toEqual(expect.arrayContaining(['8', '31']));
      expect(cached?.data.nodes).not.toContain('9');
      expect(firstRun.status).toBe('success');
    } finally {
      await socket.close();
    }
  });

  it('sends PREVIEW_IMAGE_WITH_METADATA to a client that announced supports_preview_metadata', async () => {
    const ws = new WebSocket(`${emulator.url.replace(/^http/, 'ws')}/ws?clientId=meta-client`);
    const frames: Buffer[] = [];
    const texts: string[] = [];
    ws.on('message', (data, isBinary) => {
      if (isBinary) frames.push(Buffer.from(data as Buffer));
      else texts.push(data.toString());
    });
    await new Promise((resolve) => ws.once('open', resolve));
    ws.send(JSON.stringify({ type: 'feature_flags', data: { supports_preview_metadata: true } }));
    try {
      await waitUntil(() => texts.some((text) => text.includes('"feature_flags"')) || undefined);
      const run = await runWorkflow(emulator.url, websocketWorkflow(1), 'meta-client');
      await waitUntil(() => frames.length === 1 || undefined);

      const frame = frames[0];
      expect(frame.readUInt32BE(0)).toBe(4);
      const length = frame.readUInt32BE(4);
      const metadata = JSON.parse(frame.subarray(8, 8 + length).toString('utf8'));
      expect(metadata).toEqual({
        node_id: '9', prompt_id: run.promptId, display_node_id: '9', parent_node_id: null, real_node_id: '9', image_type: 'image/png',
      });
      expect(decodePng(frame.subarray(8 + length))?.width).toBe(96);
    } finally {
      ws.close();
    }
  });
});
