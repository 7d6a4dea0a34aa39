import * as path from 'node:path';
import { startTestEmulator, type RunningEmulator } from '@kiln/testing';
import { batchSpec, createSandbox, exitCodeWithin, jsonEvents, pngFiles, waitForOutput, type Sandbox } from './support/cli-harness';
import { expectManifestToMatchDisk, filesUnder } from './support/output-folder';

// The emulator sends every /view body at 40 bytes a second: a 64×64 image (2 to 4 KB) would take about
// a minute, while no silence is long enough for the client's idle timeout. Only the item's timeout,
// or Ctrl-C, can end such a download.
const TRICKLE = { viewBytesPerSecond: 40 };

describe('kiln run when /view downloads trickle (built CLI)', () => {
  let emulator: RunningEmulator;
  let sandbox: Sandbox;

  beforeEach(async () => {
    sandbox = createSandbox();
    emulator = await startTestEmulator({ promptDurationMs: 10, faults: TRICKLE });
  });
  afterEach(async () => {
    await emulator.close();
    sandbox.remove();
  });

  it('fails each item by its timeout while its download trickles, ends the run with exit 1, and leaves no file', async () => {
    sandbox.write('jobs.yaml', batchSpec(2, { timeout: 2 }));

    const result = await sandbox.run(['run', 'jobs.yaml', '--server', emulator.url, '--json']);

    expect(result.code).toBe(1);
    const events = jsonEvents(result.stdout);
    for (const item of ['Item 1', 'Item 2']) {
      const started = events.find((e) => e['event'] === 'started' && e['item'] === item);
      const failed = events.find((e) => e['event'] === 'failed' && e['item'] === item);
      expect(failed?.['reason']).toMatch(/^timed out after 2 s on http:\/\/127\.0\.0\.1:\d+ downloading \S+\.png; retry with: kiln jobs retry /);
      // Queued, run (10 ms) and downloaded within its 2 s, not after the minute the trickle needs.
      const tookMs = Date.parse(failed?.['time'] as string) - Date.parse(started?.['time'] as string);
      expect(tookMs).toBeGreaterThanOrEqual(2000);
      expect(tookMs).toBeLessThan(4500);
    }
    expect(events.find((e) => e['event'] === 'summary')).toMatchObject({ done: 0, failed: 2, remaining: 0 });
    expect(emulator.stats().requestsByRoute['GET /view']).toBe(2);
    expect(emulator.stats().promptsAccepted).toBe(2);
    expect(filesUnder(path.join(sandbox.dir, 'out'))).toEqual([]);
  });

  it('stops a trickling download at once on Ctrl-C, marks nothing done, and the rerun brings the images home without queueing them again', async () => {
    sandbox.write('jobs.yaml', batchSpec(2, { timeout: 600 }));
    const out = path.join(sandbox.dir, 'out');

    const child = sandbox.spawn(['run', 'jobs.yaml', '--server', emulator.url]);
    await waitForOutput(child, () => (emulator.stats().requestsByRoute['GET /view'] ?? 0) >= 1);
    await new Promise((resolve) => setTimeout(resolve, 300)); // bytes are flowing
    const interruptedAt = Date.now();
    child.kill('SIGINT');
    const code = await exitCodeWithin(child, 10_000);
    const stoppedInMs = Date.now() - interruptedAt;

    expect(code).toBe(130);
    expect(stoppedInMs).toBeLessThan(2000);
    expect(child.output.stderr).toContain('To resume, run: kiln run jobs.yaml');
    expect(filesUnder(out)).toEqual([]);
    const [run] = jsonEvents((await sandbox.run(['pipeline', 'status', '--json'])).stdout)[0]['runs'] as Array<Record<string, unknown>>;
    expect(run).toMatchObject({ status: 'active', candidates: 0, open: 2, failed: 0 });

    emulator.resetFaults();
    const rerun = await sandbox.run(['run', 'jobs.yaml', '--server', emulator.url]);

    expect(rerun.code).toBe(0);
    expect(rerun.stdout).toContain('resuming the interrupted run');
    expect(pngFiles(out)).toEqual(['item-1.png', 'item-2.png']);
    expect(expectManifestToMatchDisk(out)).toEqual(['item-1.png', 'item-2.png']);
    expect(filesUnder(out).filter((file) => !file.startsWith('kiln-workflows/'))).toEqual(['item-1.json', 'item-1.png', 'item-2.json', 'item-2.png', 'kiln-manifest.json']);
    expect(emulator.stats().promptsAccepted).toBe(2);
  });
});
