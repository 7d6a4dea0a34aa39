import * as fs from 'node:fs';
import * as path from 'node:path';
import { startTestEmulator, type RunningEmulator } from '@kiln/testing';
import { batchSpec, createSandbox, exitCodeWithin, waitForOutput, type Sandbox } from './support/cli-harness';
import { expectManifestToMatchDisk, temporaryFiles } from './support/output-folder';
import { fillDisk, mountSmallDisk, unmount, whyNoRealDiskFaults } from './support/real-disk-faults';

/** A real fault of the disk the output folder is on, made while kiln writes a batch. */
interface DiskFault {
  name: string;
  /** What kiln says for each item it could not write. */
  message: (folder: string) => string;
  /** Kiln runs without root's permission bypass, so the folder's mode bits stop it. */
  withoutPermissionBypass?: boolean;
  /** Before the run: `disk` is the folder that holds the output folder. */
  prepare(disk: string): void;
  inject(disk: string, out: string): void;
  clear(disk: string, out: string): void;
  release(disk: string): void;
}

const faults: DiskFault[] = [
  {
    // A 1 MiB tmpfs that another program fills to the last byte.
    name: 'ENOSPC, the disk full',
    message: (folder) => `disk full at ${folder} (ENOSPC); free some space`,
    prepare: (disk) => mountSmallDisk(disk, 1024 * 1024),
    inject: (disk) => fillDisk(path.join(disk, 'filler')),
    clear: (disk) => fs.rmSync(path.join(disk, 'filler')),
    release: (disk) => unmount(disk),
  },
  {
    // Room for the next image's workflow, sidecar and image (a block each), none for the manifest.
    name: 'ENOSPC, room for an image but not for the manifest',
    message: (folder) => `disk full at ${folder} (ENOSPC); free some space`,
    prepare: (disk) => mountSmallDisk(disk, 1024 * 1024),
    inject: (disk) => fillDisk(path.join(disk, 'filler'), 3),
    clear: (disk) => fs.rmSync(path.join(disk, 'filler')),
    release: (disk) => unmount(disk),
  },
  {
    // kiln bound by file modes as an ordinary user is, whose output folder someone makes read-only.
    name: 'EACCES, the folder not writable',
    message: (folder) => `no permission to write in ${folder} (EACCES); fix the folder's permissions`,
    withoutPermissionBypass: true,
    prepare: (disk) => fs.mkdirSync(disk),
    inject: (_disk, out) => fs.chmodSync(out, 0o555),
    clear: (_disk, out) => fs.chmodSync(out, 0o755),
    release: () => undefined,
  },
];

const skipReason = whyNoRealDiskFaults();
const itWithRealDiskFaults = skipReason ? it.skip : it;
const ITEMS = 6;

describe(`kiln run on a disk that fails partway${skipReason ? ` (skipped: ${skipReason})` : ''} (built CLI)`, () => {
  let emulator: RunningEmulator;
  let sandbox: Sandbox;

  beforeEach(async () => {
    sandbox = createSandbox();
    // Long prompts: the fault lands while the next image is still being made, between two writes.
    emulator = await startTestEmulator({ promptDurationMs: 800 });
  });
  afterEach(async () => {
    await emulator.close();
    sandbox.remove();
  });

  itWithRealDiskFaults.each(faults)(
    '$name: names the folder, leaves the manifest and the files agreeing, and a rerun once fixed makes only what is missing',
    async (fault) => {
      const disk = path.join(sandbox.dir, 'disk');
      const out = path.join(disk, 'out');
      sandbox.write('jobs.yaml', batchSpec(ITEMS, { out: 'disk/out' }));
      fault.prepare(disk);
      try {
        const options = { withoutPermissionBypass: fault.withoutPermissionBypass, env: { HOME: sandbox.dir } };
        const child = sandbox.spawn(['run', 'jobs.yaml', '--server', emulator.url], options);
        // "done" is printed once the image, its sidecar and the manifest entry are written.
        await waitForOutput(child, (stdout) => (stdout.match(/ done Item /g) ?? []).length >= 2);
        fault.inject(disk, out);
        const code = await exitCodeWithin(child, 45_000);

        expect(code).toBe(1);
        expect(child.output.stdout).toContain(fault.message(out));
        const made = expectManifestToMatchDisk(out);
        expect(made.length).toBeGreaterThanOrEqual(2);
        expect(made.length).toBeLessThan(ITEMS);
        expect(temporaryFiles(out)).toEqual([]);
        const firstBytes = made.map((file) => fs.readFileSync(path.join(out, file)));

        fault.clear(disk, out);
        const rerun = await sandbox.run(['run', 'jobs.yaml', '--server', emulator.url], options);

        expect(rerun.code).toBe(0);
        expect(rerun.stdout).toContain('resuming the failed run');
        expect(rerun.stdout).toMatch(new RegExp(`skipped\\s+${made.length}\\b`));
        expect(expectManifestToMatchDisk(out)).toEqual(Array.from({ length: ITEMS }, (_, i) => `item-${i + 1}.png`));
        expect(temporaryFiles(out)).toEqual([]);
        expect(made.map((file) => fs.readFileSync(path.join(out, file)))).toEqual(firstBytes);
        // Every image was generated once: the rerun fetched the failed ones from the server again.
        expect(emulator.stats().promptsAccepted).toBe(ITEMS);
      } finally {
        fault.release(disk);
      }
    },
  );
});
