import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startEmbeddedServer } from '@kiln/database';
import { resolveCliConfig } from '../config/cli-config';
import { startEmbeddedDatabaseEarly } from './start-embedded-early';

function configFor(env: NodeJS.ProcessEnv) {
  const cwd = mkdtempSync(join(tmpdir(), 'kiln-early-'));
  return resolveCliConfig({}, { KILN_DATA_DIR: 'db', ...env }, cwd);
}

describe('startEmbeddedDatabaseEarly', () => {
  it('starts the embedded database of a folder that already holds one', async () => {
    const config = configFor({});
    await startEmbeddedServer(config.dataDir).close();

    const early = startEmbeddedDatabaseEarly(config);
    await early?.ready;
    await early?.close();

    expect(early?.dataDir).toBe(config.dataDir);
  }, 60_000);

  it('leaves a new folder alone: it is created only when a run goes ahead', () => {
    const config = configFor({});

    const early = startEmbeddedDatabaseEarly(config);

    expect(early).toBeUndefined();
    expect(existsSync(config.dataDir)).toBe(false);
    expect(existsSync(`${config.dataDir}.lock`)).toBe(false);
  });

  it('starts nothing when DATABASE_URL names a PostgreSQL server', () => {
    expect(startEmbeddedDatabaseEarly(configFor({ DATABASE_URL: 'postgres://kiln@127.0.0.1:5432/kiln' }))).toBeUndefined();
  });

  it('leaves a folder another process holds to the usual open, which says who holds it', async () => {
    const config = configFor({});
    await startEmbeddedServer(config.dataDir).close();
    writeFileSync(`${config.dataDir}.lock`, String(process.ppid));

    expect(startEmbeddedDatabaseEarly(config)).toBeUndefined();
  }, 60_000);
});
