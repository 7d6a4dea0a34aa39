import { openKilnTestDatabase, type TestDatabase } from '@kiln/testing';
import { entryStartProbe, freePort, killAllWorkers, must, removeTempDirs, spawnWorker, workerEnv } from './support/worker-harness';

// A worker stopped before it is ready (while its code loads, while it opens the database) exits 0
// like any stopped worker, not 143 (killed by SIGTERM): systemd, Docker and nx stop it at any moment.
// Moments are counted from when Node starts the entry script (reported by a --require probe): before
// that Node runs no JavaScript, so no program can handle a signal there.

describe('worker stopped before it is ready', () => {
  let db: TestDatabase;

  beforeAll(async () => {
    db = await openKilnTestDatabase();
  }, 60_000);

  afterEach(() => killAllWorkers());

  afterAll(async () => {
    await killAllWorkers();
    await db?.close();
    removeTempDirs();
  });

  it.each([0, 50, 200, 500])('exits 0 on SIGTERM %i ms after its entry starts', async (delayMs) => {
    // Nothing listens there: a worker that got that far waits for ComfyUI, which is fine.
    const worker = spawnWorker(workerEnv(must(db.url, 'the test database URL'), `http://127.0.0.1:${await freePort()}`), [], { preload: entryStartProbe });
    await must(worker.entryStarted, 'the entry probe');
    if (delayMs > 0) await new Promise((resolve) => setTimeout(resolve, delayMs));
    worker.child.kill('SIGTERM');

    const exit = await worker.exited;

    expect({ ...exit, output: exit.code === 0 ? '' : `${worker.output.stdout}${worker.output.stderr}` }).toEqual({ code: 0, signal: null, output: '' });
    if (delayMs === 0) {
      // Stopped while loading: it opened nothing.
      expect(worker.logged('worker stopped before it started')).toHaveLength(1);
      expect(worker.logged('database ready')).toEqual([]);
    }
  });
});
