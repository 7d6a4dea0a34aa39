import { join } from 'node:path';
import { Writable } from 'node:stream';
import { filesUnder, openKilnTestDatabase, secretsFound, type RunningEmulator, type TestDatabase } from '@kiln/testing';
import { createLogger, format, transports } from 'winston';
import { createRunFromYaml, startEmulatorForTest, tempDir, testEngine } from './support/engine-harness';
import { startTamperingProxy, type TamperingProxy } from './support/tampering-proxy';

// Secrets planted in every place one can come from (a password in COMFYUI_BASE_URL, an auth header
// that the server echoes back in an error) must appear in no output: files, database rows, logs,
// events, metrics.

const URL_PASSWORD = 'url-pass-48213';
const HEADER_SECRET = 'hdr-secret-77131';
const BASIC = Buffer.from(`kiln:${URL_PASSWORD}`).toString('base64');

function yaml(items: string[]): string {
  return `
version: 1
output: { dir: out }
defaults: { checkpoint: v1-5-pruned-emaonly.safetensors, width: 64, height: 64, steps: 2, seed: 3 }
items:
${items.map((name) => `  - { name: ${name}, prompt: p }`).join('\n')}
`;
}

describe('no secret leaves the engine (PostgreSQL)', () => {
  let db: TestDatabase;
  let emulator: RunningEmulator;
  let proxy: TamperingProxy;

  beforeAll(async () => {
    db = await openKilnTestDatabase('postgres');
    emulator = await startEmulatorForTest({ promptDurationMs: 10 });
    proxy = await startTamperingProxy(emulator.url);
  }, 60_000);

  afterAll(async () => {
    await proxy?.close();
    await emulator?.close();
    await db?.close();
  });

  it('writes neither the URL password nor the auth header into files, rows, logs, events or metrics, in a good and a failing batch', async () => {
    const logs: string[] = [];
    const logger = createLogger({
      level: 'debug',
      format: format.json(),
      transports: [new transports.Stream({ stream: new Writable({ write: (chunk, _enc, done) => (logs.push(String(chunk)), done()) }) })],
    });
    const server = proxy.url.replace('http://', `http://kiln:${URL_PASSWORD}@`);
    const dir = tempDir();
    const good = await createRunFromYaml(db.dataSource, yaml(['Ann', 'Ben']), join(dir, 'good'), 'good');
    const { engine, events } = testEngine(db.dataSource, [server], { logger, client: { headers: { 'X-Api-Key': HEADER_SECRET }, retry: { retries: 0 } } });
    await engine.start();
    const goodSummary = await engine.whenRunSettled(good.id);

    // The failing batch: the server rejects the prompt, echoing the credentials it received.
    proxy.set({
      response: (x) =>
        x.method === 'POST' && x.path === '/prompt'
          ? { status: 400, body: JSON.stringify({ error: { type: 'auth', message: `rejected ${HEADER_SECRET} / Basic ${BASIC}` }, node_errors: {} }) }
          : undefined,
    });
    const bad = await createRunFromYaml(db.dataSource, yaml(['Cid']), join(dir, 'bad'), 'bad');
    const badSummary = await engine.whenRunSettled(bad.id);
    await engine.stop();
    proxy.set({});

    // Every row of every table Kiln keeps, through the entities (no table's SQL outside its owner).
    const tables = await Promise.all(db.dataSource.entityMetadatas.map((meta) => db.dataSource.getRepository(meta.target).find()));
    const dump = JSON.stringify(tables);
    const outputs = [
      ...filesUnder(dir),
      { where: 'the database rows', text: dump },
      { where: 'the logs', text: logs.join('') },
      { where: 'the engine events', text: JSON.stringify(events) },
      { where: '/metrics', text: await engine.metrics.registry.metrics() },
    ];

    expect(goodSummary).toMatchObject({ completed: 2, failed: [] });
    expect(badSummary.failed).toHaveLength(1);
    expect(badSummary.failed[0].error).toContain('rejected [REDACTED]');
    expect(dump).toContain('kiln:***@127.0.0.1');
    expect(secretsFound(outputs, [URL_PASSWORD, HEADER_SECRET, BASIC])).toEqual([]);
  }, 30_000);
});
