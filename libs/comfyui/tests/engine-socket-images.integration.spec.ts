import { copyFileSync, existsSync, mkdirSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { listRunCandidates } from '@kiln/pipeline';
import { openKilnTestDatabase, workflowCorpusDir, type RunningEmulator, type TestDatabase } from '@kiln/testing';
import { createRunFromYaml, startEmulatorForTest, tempDir, testEngine } from './support/engine-harness';

// sd15-save-websocket: its only output is a SaveImageWebsocket node ("10"), whose images ComfyUI
// sends as binary WebSocket frames and never writes to its history.
function runYaml(batchSize: number): string {
  return `
version: 1
output: { dir: out }
defaults: { seed: 11 }
items:
  - name: Socket
    workflow: workflows/sd15-save-websocket.api.json
    prompt: a lighthouse at dusk
    set: { "5.inputs.batch_size": ${batchSize} }
`;
}

function specDir(): string {
  const dir = tempDir();
  mkdirSync(join(dir, 'workflows'));
  copyFileSync(join(workflowCorpusDir(), 'sd15-save-websocket.api.json'), join(dir, 'workflows/sd15-save-websocket.api.json'));
  return dir;
}

describe('SaveImageWebsocket outputs through the engine (emulator, PostgreSQL)', () => {
  let db: TestDatabase;
  let emulator: RunningEmulator;

  beforeAll(async () => {
    db = await openKilnTestDatabase('postgres');
    emulator = await startEmulatorForTest({ customNodes: ['SaveImageWebsocket'] });
  }, 60_000);

  afterAll(async () => {
    await emulator?.close();
    await db?.close();
  });

  it('writes the images the node sent as binary frames, one file per image of the batch, and records that they came over the socket', async () => {
    const dir = specDir();
    const run = await createRunFromYaml(db.dataSource, runYaml(3), dir);
    const { engine } = testEngine(db.dataSource, [emulator.url]);
    await engine.start();
    const summary = await engine.whenRunSettled(run.id);
    await engine.stop();

    expect(summary).toMatchObject({ completed: 1, failed: [] });
    const out = join(dir, 'out');
    const files = readdirSync(out).filter((f) => f.endsWith('.png')).sort();
    expect(files).toEqual(['socket-1.png', 'socket-2.png', 'socket-3.png']);
    for (const [index, file] of files.entries()) {
      const png = readFileSync(join(out, file));
      expect(png.subarray(1, 4).toString()).toBe('PNG');
      const sidecar = JSON.parse(readFileSync(join(out, file.replace(/\.png$/, '.json')), 'utf8'));
      expect(sidecar).toMatchObject({ comfyuiWebSocket: true, output: { nodeId: '10', batchIndex: index, batchSize: 3, seedShared: true } });
      expect(sidecar.comfyuiFile).toBeUndefined();
    }
    // Three different images (the emulator draws each of the batch apart), not one written three times.
    expect(new Set(files.map((f) => readFileSync(join(out, f)).toString('base64'))).size).toBe(3);
    expect(await listRunCandidates(db.dataSource.manager, run.id)).toHaveLength(1);
  }, 60_000);

  it('fails the job, saying why, when no event stream listens for the frames', async () => {
    const dir = specDir();
    const run = await createRunFromYaml(db.dataSource, runYaml(1), dir);
    const { engine } = testEngine(db.dataSource, [emulator.url], { useEvents: false });
    await engine.start();
    const summary = await engine.whenRunSettled(run.id);
    await engine.stop();

    expect(summary.failed).toHaveLength(1);
    expect(JSON.stringify(summary.failed)).toContain('its WebSocket images cannot be collected without the event stream');
  }, 60_000);

  it('fails the job instead of writing part of a batch when the socket dropped while the prompt ran', async () => {
    const slow = await startEmulatorForTest({ customNodes: ['SaveImageWebsocket'], nodeDurationMs: { KSampler: 600 } });
    try {
      const dir = specDir();
      const run = await createRunFromYaml(db.dataSource, runYaml(2), dir);
      const { engine } = testEngine(db.dataSource, [slow.url], {
        onEvent: (event) => {
          if (event.type === 'job_running') slow.dropWebSockets();
        },
      });
      await engine.start();
      const summary = await engine.whenRunSettled(run.id);
      await engine.stop();

      expect(summary.completed).toBe(0);
      expect(summary.failed[0].error).toContain('the WebSocket connection dropped while the prompt ran, so its WebSocket images were lost; retry with: kiln jobs retry');
      expect(existsSync(join(dir, 'out', 'socket-1.png')) || existsSync(join(dir, 'out', 'socket.png'))).toBe(false);
    } finally {
      await slow.close();
    }
  }, 60_000);

  it('keeps each server\'s frames with its own prompt when two servers run socket outputs at once', async () => {
    // Slow nodes on both servers, so one server's executing messages arrive between the other's
    // executing message for its socket node and that node's frames.
    const options = { customNodes: ['SaveImageWebsocket'], nodeDurationMs: { KSampler: 80, SaveImageWebsocket: 120, VAEDecode: 40 } };
    const [a, b] = await Promise.all([startEmulatorForTest(options), startEmulatorForTest(options)]);
    try {
      const dir = specDir();
      const yaml = runYaml(2).replace('    set:', '    count: 6\n    set:');
      const run = await createRunFromYaml(db.dataSource, yaml, dir);
      const { engine } = testEngine(db.dataSource, [a.url, b.url], { maxInFlightPerServer: 2 });
      await engine.start();
      const summary = await engine.whenRunSettled(run.id);
      await engine.stop();

      expect(summary).toMatchObject({ completed: 6, failed: [] });
      expect(a.stats().promptsSucceeded).toBeGreaterThan(0);
      expect(b.stats().promptsSucceeded).toBeGreaterThan(0);
      const files = readdirSync(join(dir, 'out')).filter((f) => f.endsWith('.png'));
      expect(files).toHaveLength(12);
    } finally {
      await Promise.all([a.close(), b.close()]);
    }
  }, 60_000);
});
