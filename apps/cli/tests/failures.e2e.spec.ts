import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as path from 'node:path';
import { startTestEmulator, type RunningEmulator } from '@kiln/testing';
import { batchSpec, createSandbox, pngFiles, waitForOutput, type Sandbox } from './support/cli-harness';

describe('kiln batches when things go wrong (built CLI)', () => {
  let sandbox: Sandbox;

  beforeEach(() => {
    sandbox = createSandbox();
  });
  afterEach(() => {
    sandbox.remove();
  });

  it('names a hung item with its timeout, interrupts it, writes the others and exits 1', async () => {
    const emulator = await startTestEmulator({ promptDurationMs: 10, faults: { hangPrompts: 1 } });
    try {
      sandbox.write('jobs.yaml', batchSpec(3, { timeout: 2 }));

      const result = await sandbox.run(['run', 'jobs.yaml', '--server', emulator.url]);

      expect(result.code).toBe(1);
      expect(result.stdout).toMatch(new RegExp(`Item 1: timed out after 2 s on ${emulator.url.replace(/[.:/]/g, '\\$&')}/?, prompt [0-9a-f-]{36}`));
      expect(result.stdout).toMatch(/failed\s+1/);
      expect(pngFiles(path.join(sandbox.dir, 'out'))).toEqual(['item-2.png', 'item-3.png']);
      expect(emulator.stats().promptsInterrupted).toBe(1);
    } finally {
      await emulator.close();
    }
  });

  it('applies COMFYUI_TIMEOUT to items whose file sets no timeout', async () => {
    const emulator = await startTestEmulator({ promptDurationMs: 10, faults: { hangPrompts: 1 } });
    try {
      sandbox.write('jobs.yaml', batchSpec(2, { timeout: 'unset' }));

      const result = await sandbox.run(['run', 'jobs.yaml', '--server', emulator.url], { env: { COMFYUI_TIMEOUT: '2' } });

      expect(result.code).toBe(1);
      expect(result.stdout).toMatch(/Item 1: timed out after 2 s on /);
      expect(pngFiles(path.join(sandbox.dir, 'out'))).toEqual(['item-2.png']);
    } finally {
      await emulator.close();
    }
  });

  it('exits 3 with guidance when ComfyUI is not reachable', async () => {
    const port = await freePort();
    sandbox.write('jobs.yaml', batchSpec(2));

    const result = await sandbox.run(['run', 'jobs.yaml', '--server', `http://127.0.0.1:${port}`]);

    expect(result.code).toBe(3);
    expect(result.stderr).toContain(`cannot reach ComfyUI`);
    expect(result.stderr).toContain('COMFYUI_BASE_URL');
    expect(result.stderr).toContain('--emulator');
  });

  it('refuses a FIFO where an image or the manifest goes, at once instead of hanging on it, and queues nothing', async () => {
    const emulator = await startTestEmulator({ promptDurationMs: 10 });
    try {
      sandbox.write('jobs.yaml', batchSpec(2));
      const out = path.join(sandbox.dir, 'out');
      fs.mkdirSync(out);
      execFileSync('mkfifo', [path.join(out, 'item-2.png')]);

      const image = await sandbox.run(['run', 'jobs.yaml', '--server', emulator.url], { timeoutMs: 20_000 });
      fs.rmSync(path.join(out, 'item-2.png'));
      execFileSync('mkfifo', [path.join(out, 'kiln-manifest.json')]);
      const manifest = await sandbox.run(['run', 'jobs.yaml', '--server', emulator.url], { timeoutMs: 20_000 });

      expect(image.code).toBe(2);
      expect(image.stderr).toContain(`out/item-2.png (item 'Item 2'): cannot read it: ${path.join(out, 'item-2.png')} is a FIFO (named pipe), not a regular file`);
      expect(manifest.code).toBe(2);
      expect(manifest.stderr).toContain(`cannot use the output folder's manifest: ${path.join(out, 'kiln-manifest.json')} is a FIFO (named pipe), not a regular file; nothing was queued`);
      expect(manifest.stderr).toContain('fix: remove it (kiln writes a new one), or choose another output folder');
      expect(emulator.stats().promptsAccepted).toBe(0);
    } finally {
      await emulator.close();
    }
  });

  it('names --out when it points at a file', async () => {
    sandbox.write('jobs.yaml', batchSpec(1));
    sandbox.write('renders', 'a file');

    const result = await sandbox.run(['run', 'jobs.yaml', '--emulator', '--out', 'renders']);

    expect(result.code).toBe(2);
    expect(result.stderr).toContain(`--out: ${path.join(sandbox.dir, 'renders')} is a file, not a folder\n  fix: give --out a folder`);
  });

  describe('interrupted runs', () => {
    let emulator: RunningEmulator;
    beforeAll(async () => {
      emulator = await startTestEmulator({ promptDurationMs: 250 });
    });
    afterAll(async () => {
      await emulator.close();
    });

    it('completes after being killed mid-run, with no duplicates and no half-written files', async () => {
      sandbox.write('jobs.yaml', batchSpec(8));
      const out = path.join(sandbox.dir, 'out');
      const before = emulator.stats().promptsAccepted;

      const doomed = sandbox.spawn(['run', 'jobs.yaml', '--server', emulator.url]);
      await waitForOutput(doomed, (stdout) => (stdout.match(/ done /g) ?? []).length >= 3);
      doomed.kill('SIGKILL');
      await new Promise((resolve) => doomed.once('close', resolve));
      const written = pngFiles(out);
      for (const file of written) expect(isCompletePng(fs.readFileSync(path.join(out, file)))).toBe(true);

      const rerun = await sandbox.run(['run', 'jobs.yaml', '--server', emulator.url]);

      expect(rerun.code).toBe(0);
      expect(rerun.stdout).toContain('resuming the interrupted run');
      const expected = Array.from({ length: 8 }, (_, i) => `item-${i + 1}.png`).sort();
      expect(pngFiles(out)).toEqual(expected);
      expect(fs.readdirSync(out).filter((f) => !f.endsWith('.png') && !f.endsWith('.json'))).toEqual(['kiln-workflows']);
      expect(fs.readdirSync(path.join(out, 'kiln-workflows')).filter((f) => !/^[0-9a-f]{64}\.json$/.test(f))).toEqual([]);
      for (const file of expected) expect(isCompletePng(fs.readFileSync(path.join(out, file)))).toBe(true);
      const manifest = JSON.parse(fs.readFileSync(path.join(out, 'kiln-manifest.json'), 'utf8'));
      expect(Object.keys(manifest.files).sort()).toEqual(expected);
      // Prompts in flight at the kill were followed, not queued again.
      expect(emulator.stats().promptsAccepted - before).toBe(8);
    });

    it('resumes on another server, queueing again what was in flight on the old one (e.g. a previous --emulator)', async () => {
      sandbox.write('jobs.yaml', batchSpec(4));
      const other = await startTestEmulator({ promptDurationMs: 10 });
      try {
        const doomed = sandbox.spawn(['run', 'jobs.yaml', '--server', emulator.url]);
        await waitForOutput(doomed, (stdout) => stdout.includes(' done '));
        doomed.kill('SIGKILL');
        await new Promise((resolve) => doomed.once('close', resolve));

        const rerun = await sandbox.run(['run', 'jobs.yaml', '--server', other.url]);

        expect(rerun.code).toBe(0);
        expect(rerun.stdout).toContain('resuming the interrupted run');
        expect(pngFiles(path.join(sandbox.dir, 'out'))).toHaveLength(4);
      } finally {
        await other.close();
      }
    });

    it('stops cleanly on Ctrl-C and says how to resume', async () => {
      sandbox.write('jobs.yaml', batchSpec(8));

      const child = sandbox.spawn(['run', 'jobs.yaml', '--server', emulator.url]);
      await waitForOutput(child, (stdout) => stdout.includes(' done '));
      child.kill('SIGINT');
      const code = await new Promise<number | null>((resolve) => child.once('close', resolve));

      expect(code).toBe(130);
      expect(child.output.stderr).toContain('To resume, run: kiln run jobs.yaml');
      expect(child.output.stdout).toMatch(/not run\s+\d+/);
      const rerun = await sandbox.run(['run', 'jobs.yaml', '--server', emulator.url]);
      expect(rerun.code).toBe(0);
      expect(pngFiles(path.join(sandbox.dir, 'out'))).toHaveLength(8);
    });
  });
});

/** PNG signature at the start and an IEND chunk at the end. */
function isCompletePng(bytes: Buffer): boolean {
  return bytes.subarray(0, 8).equals(Buffer.from([137, 80, 78, 71, 13, 10, 26, 10])) && bytes.subarray(-8, -4).toString('latin1') === 'IEND';
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
    server.on('error', reject);
  });
}

describe('kiln pipeline start without a reachable ComfyUI (built CLI)', () => {
  it('registers the run with a warning that says what was not checked', async () => {
    const sandbox = createSandbox();
    const closed = net.createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const port = (closed.address() as net.AddressInfo).port;
    await new Promise<void>((resolve) => closed.close(() => resolve()));
    try {
      sandbox.write('pipe.yaml', 'version: 1\noutput: { dir: out }\ndefaults: { checkpoint: a.safetensors }\nsteps:\n  - { name: Look, prompt: a, count: 2 }\n');

      const result = await sandbox.run(['pipeline', 'start', 'pipe.yaml', '--server', `http://127.0.0.1:${port}`], { env: { COMFYUI_MAX_RETRIES: '0' } });

      expect(result.code).toBe(0);
      expect(result.stdout).toMatch(/registered pipeline run [0-9a-f-]{36}/);
      expect(result.stderr).toContain('could not check the spec against');
      expect(result.stderr).toContain('the run is registered anyway');
    } finally {
      sandbox.remove();
    }
  });
});
