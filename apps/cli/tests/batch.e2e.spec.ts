import * as fs from 'node:fs';
import * as path from 'node:path';
import { startTestEmulator, type RunningEmulator } from '@kiln/testing';
import { batchSpec, createSandbox, jsonEvents, pngFiles, type Sandbox } from './support/cli-harness';

describe('kiln batches against the emulator (built CLI)', () => {
  let emulator: RunningEmulator;
  let sandbox: Sandbox;

  beforeAll(async () => {
    emulator = await startTestEmulator({ promptDurationMs: 10 });
  });
  afterAll(async () => {
    await emulator.close();
  });
  beforeEach(() => {
    sandbox = createSandbox();
  });
  afterEach(() => {
    sandbox.remove();
  });

  it('generate writes one image and prints its path and seed, loudly flagging the emulator', async () => {
    const result = await sandbox.run(['generate', '--prompt', 'Portrait of a fox knight, oil on canvas', '--checkpoint', 'v1-5-pruned-emaonly.safetensors', '--width', '64', '--height', '64', '--emulator']);

    expect(result.code).toBe(0);
    expect(pngFiles(path.join(sandbox.dir, 'out'))).toEqual(['portrait-of-a-fox-knight-oil-on-canvas.png']);
    expect(result.stdout).toMatch(/out\/portrait-of-a-fox-knight-oil-on-canvas\.png \(seed \d+\)/);
    expect(result.stderr).toContain('SYNTHETIC');
  });

  it('run writes every item of a 10-item spec under its slug; a rerun writes nothing and exits 0; --overwrite rewrites', async () => {
    sandbox.write('jobs.yaml', batchSpec(10));
    const out = path.join(sandbox.dir, 'out');

    const first = await sandbox.run(['run', 'jobs.yaml', '--server', emulator.url]);
    const expected = Array.from({ length: 10 }, (_, i) => `item-${i + 1}.png`).sort();
    expect(first.code).toBe(0);
    expect(pngFiles(out)).toEqual(expected);
    const manifest = JSON.parse(fs.readFileSync(path.join(out, 'kiln-manifest.json'), 'utf8'));
    expect(Object.keys(manifest.files).sort()).toEqual(expected);
    const sidecar = JSON.parse(fs.readFileSync(path.join(out, 'item-1.json'), 'utf8'));
    expect(sidecar).toMatchObject({ seed: manifest.files['item-1.png'].seed, sha256: manifest.files['item-1.png'].sha256, checkpoint: 'v1-5-pruned-emaonly.safetensors' });

    const mtimes = expected.map((f) => fs.statSync(path.join(out, f)).mtimeMs);
    const accepted = emulator.stats().promptsAccepted;
    const rerun = await sandbox.run(['run', 'jobs.yaml', '--server', emulator.url]);
    expect(rerun.code).toBe(0);
    expect(rerun.stdout).toMatch(/skipped\s+10/);
    expect(rerun.stdout).toContain('already made');
    expect(emulator.stats().promptsAccepted).toBe(accepted);
    expect(expected.map((f) => fs.statSync(path.join(out, f)).mtimeMs)).toEqual(mtimes);

    const overwrite = await sandbox.run(['run', 'jobs.yaml', '--server', emulator.url, '--overwrite']);
    expect(overwrite.code).toBe(0);
    expect(overwrite.stdout).toMatch(/done\s+10/);
    expect(emulator.stats().promptsAccepted).toBe(accepted + 10);
  });

  it('candidates list shows a run\'s images and select takes the short ids people copy from it', async () => {
    sandbox.write('jobs.yaml', batchSpec(2));
    await sandbox.run(['run', 'jobs.yaml', '--server', emulator.url]);
    const runs = jsonEvents((await sandbox.run(['pipeline', 'status', '--json'])).stdout)[0]['runs'] as Array<{ runId: string }>;
    const listed = jsonEvents((await sandbox.run(['candidates', 'list', runs[0].runId.slice(0, 8), '--json'])).stdout)[0]['candidates'] as Array<{ id: string }>;

    const selected = await sandbox.run(['candidates', 'select', listed[0].id.slice(0, 8)]);
    const bogus = await sandbox.run(['candidates', 'select', 'not-an-id']);
    const after = jsonEvents((await sandbox.run(['candidates', 'list', runs[0].runId, '--json'])).stdout)[0]['candidates'] as Array<{ id: string; status: string }>;

    expect(listed).toHaveLength(2);
    expect(selected.code).toBe(0);
    expect(after.find((c) => c.id === listed[0].id)?.status).toBe('selected');
    expect(bogus.code).toBe(2);
    expect(bogus.stderr).toContain("'not-an-id' is not a candidate id (see kiln candidates list RUN)");
  });

  it('refuses a file in the way that kiln did not make, naming it and the flag, and queues nothing', async () => {
    sandbox.write('jobs.yaml', batchSpec(3));
    sandbox.write('out/item-2.png', 'my own drawing');
    const accepted = emulator.stats().promptsAccepted;

    const result = await sandbox.run(['run', 'jobs.yaml', '--server', emulator.url]);

    expect(result.code).toBe(2);
    expect(result.stderr).toContain('out/item-2.png');
    expect(result.stderr).toContain('--overwrite');
    expect(fs.readFileSync(path.join(sandbox.dir, 'out/item-2.png'), 'utf8')).toBe('my own drawing');
    expect(emulator.stats().promptsAccepted).toBe(accepted);
  });

  it('rejects unknown keys with exit 2, listing every unsupported field', async () => {
    sandbox.write('bad.yaml', batchSpec(1, { extra: '  colour: red\n  sheduler: karras' }).replace('version: 1', 'version: 1\nscript: rm -rf /'));

    const result = await sandbox.run(['run', 'bad.yaml', '--server', emulator.url]);

    expect(result.code).toBe(2);
    expect(result.stderr).toContain('unsupported fields');
    for (const field of ['script', 'defaults.colour', 'defaults.sheduler']) expect(result.stderr).toContain(field);
  });

  it('fails a missing checkpoint with exit 2 and the choices, closest first, before queueing anything, leaving the database free', async () => {
    const lonely = await startTestEmulator({ checkpoints: ['a.safetensors', 'b.safetensors', 'v1-5-pruned.safetensors'] });
    try {
      sandbox.write('jobs.yaml', batchSpec(2, { checkpoint: 'v1-5-pruned-emaonly.safetensors' }));

      const result = await sandbox.run(['run', 'jobs.yaml', '--server', lonely.url]);

      expect(result.code).toBe(2);
      expect(result.stderr).toContain("input ckpt_name: 'v1-5-pruned-emaonly.safetensors' is not offered by the server (checkpoints); closest: v1-5-pruned.safetensors, a.safetensors, b.safetensors");
      expect(lonely.stats().promptsAccepted).toBe(0);
      expect(pngFiles(path.join(sandbox.dir, 'out'))).toEqual([]);
      // The embedded database started booting at once (its folder exists); it was shut down cleanly.
      expect(fs.existsSync(`${sandbox.env['KILN_DATA_DIR']}.lock`)).toBe(false);
    } finally {
      await lonely.close();
    }
  });

  it('makes identical files from the same base seed in separate runs', async () => {
    sandbox.write('jobs.yaml', batchSpec(3, { seed: 777 }));

    const a = await sandbox.run(['run', 'jobs.yaml', '--server', emulator.url, '--out', 'a']);
    const b = await sandbox.run(['run', 'jobs.yaml', '--server', emulator.url, '--out', 'b']);

    expect([a.code, b.code]).toEqual([0, 0]);
    for (const file of ['item-1.png', 'item-2.png', 'item-3.png']) {
      const [first, second] = ['a', 'b'].map((dir) => fs.readFileSync(path.join(sandbox.dir, dir, file)));
      // ComfyUI embeds the workflow in the PNG: the same seed must send the very same workflow.
      expect(second.equals(first)).toBe(true);
    }
  });

  it('prints and records every random seed (--json events, manifest, sidecar)', async () => {
    sandbox.write('jobs.yaml', batchSpec(3, { seed: 'random' }));

    const result = await sandbox.run(['run', 'jobs.yaml', '--server', emulator.url, '--json']);

    expect(result.code).toBe(0);
    const done = jsonEvents(result.stdout).filter((e) => e['event'] === 'done');
    expect(done).toHaveLength(3);
    const manifest = JSON.parse(fs.readFileSync(path.join(sandbox.dir, 'out/kiln-manifest.json'), 'utf8'));
    for (const event of done) {
      const file = path.basename(event['file'] as string);
      expect(typeof event['seed']).toBe('number');
      expect(manifest.files[file]).toMatchObject({ seed: event['seed'], seedMode: 'random' });
      expect(JSON.parse(fs.readFileSync(path.join(sandbox.dir, 'out', file.replace('.png', '.json')), 'utf8')).seed).toBe(event['seed']);
    }
    expect(new Set(done.map((e) => e['seed'])).size).toBe(3);
  });

  it('--dry-run prints the plan (item, file, seed, checkpoint) and queues nothing; validate and checkpoints talk to the server only', async () => {
    sandbox.write('jobs.yaml', batchSpec(2));
    const accepted = emulator.stats().promptsAccepted;

    const dry = await sandbox.run(['run', 'jobs.yaml', '--server', emulator.url, '--dry-run']);
    const valid = await sandbox.run(['validate', 'jobs.yaml', '--server', emulator.url]);
    const checkpoints = await sandbox.run(['checkpoints', '--server', emulator.url, '--json']);

    expect(dry.code).toBe(0);
    expect(dry.stdout).toMatch(/Item 1\s+out\/item-1\.png\s+\d+\s+v1-5-pruned-emaonly\.safetensors\s+generate/);
    expect(valid.code).toBe(0);
    expect(valid.stdout).toContain('is valid');
    expect(jsonEvents(checkpoints.stdout)[0]['checkpoints']).toContain('v1-5-pruned-emaonly.safetensors');
    expect(emulator.stats().promptsAccepted).toBe(accepted);
    expect(fs.existsSync(path.join(sandbox.dir, 'out'))).toBe(false);
  });
});
