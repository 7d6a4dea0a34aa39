import { batchSpec, createSandbox, jsonEvents, type Sandbox } from './support/cli-harness';

// Every command that opens the database says first where it is, as the worker does: the folder of
// the embedded one, or the PostgreSQL URL without its password. On stderr, so stdout stays the
// command's result (with --json, the same JSON events as before: scripts read the first one).

describe('commands name their database at start (built CLI)', () => {
  let sandbox: Sandbox;

  beforeEach(() => {
    sandbox = createSandbox();
  });
  afterEach(() => {
    sandbox.remove();
  });

  it('kiln run and kiln pipeline status print the embedded database folder on stderr, not among the results', async () => {
    sandbox.write('jobs.yaml', batchSpec(1));
    const line = `database: embedded PostgreSQL in ${sandbox.env['KILN_DATA_DIR']}`;

    const run = await sandbox.run(['run', 'jobs.yaml', '--emulator']);
    const status = await sandbox.run(['pipeline', 'status']);

    expect(run.code).toBe(0);
    expect(run.stderr).toContain(line);
    expect(status.code).toBe(0);
    expect(status.stderr.split('\n')).toContain(line);
    expect(status.stdout).not.toContain('database:');
  });

  it('with --json, says it on stderr and leaves stdout to the result event alone', async () => {
    const result = await sandbox.run(['pipeline', 'status', '--json']);

    expect(result.code).toBe(0);
    expect(result.stderr.split('\n')).toContain(`database: embedded PostgreSQL in ${sandbox.env['KILN_DATA_DIR']}`);
    const lines = result.stdout.split('\n').filter(Boolean);
    expect(lines).toHaveLength(1);
    expect(jsonEvents(result.stdout)[0]).toMatchObject({ event: 'result', runs: [] });
  });

  it('names a PostgreSQL database by its URL without the password, before failing to reach it', async () => {
    const result = await sandbox.run(['candidates', 'list', '0a1b2c3d'], { env: { DATABASE_URL: 'postgres://kiln:s3cret-pw@127.0.0.1:1/kiln' } });

    expect(result.code).toBe(3);
    expect(result.stderr.split('\n')[0]).toBe('database: postgres://kiln:***@127.0.0.1:1/kiln');
    expect(`${result.stdout}${result.stderr}`).not.toContain('s3cret-pw');
  });
});
