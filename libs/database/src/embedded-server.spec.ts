import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from 'pg';
import { hasEmbeddedDatabase, startEmbeddedServer, type EmbeddedServer } from './embedded-server';

function newDataDir(): string {
  return join(mkdtempSync(join(tmpdir(), 'kiln-embedded-')), 'db');
}

async function connect(server: EmbeddedServer): Promise<Client> {
  const client = new Client({ stream: () => server.connect(), user: 'postgres', database: 'postgres', ssl: false });
  await client.connect();
  return client;
}

describe('startEmbeddedServer', () => {
  it('serves node-postgres from its worker thread and keeps the data across a clean restart', async () => {
    const dataDir = newDataDir();

    const first = startEmbeddedServer(dataDir);
    const writer = await connect(first);
    await writer.query('CREATE TABLE notes (id serial PRIMARY KEY, text text NOT NULL)');
    await writer.query('INSERT INTO notes (text) VALUES ($1), ($2)', ['one', 'two']);
    await writer.end();
    await first.close();
    const second = startEmbeddedServer(dataDir);
    const reader = await connect(second);
    const { rows } = await reader.query<{ text: string }>('SELECT text FROM notes ORDER BY id');
    await reader.end();
    await second.close();

    expect(rows.map((row) => row.text)).toEqual(['one', 'two']);
    expect(hasEmbeddedDatabase(dataDir)).toBe(true);
    expect(existsSync(`${dataDir}.lock`)).toBe(false);
  }, 60_000);

  it('passes PostgreSQL errors through with their SQLSTATE, and the session goes on', async () => {
    const server = startEmbeddedServer(newDataDir());
    const client = await connect(server);

    const failed = await client.query('SELECT * FROM missing_table').catch((error: unknown) => error);
    const after = await client.query<{ answer: number }>('SELECT 41 + $1::int AS answer', [1]);
    await client.end();
    await server.close();

    expect(failed).toMatchObject({ code: '42P01', message: 'relation "missing_table" does not exist' });
    expect(after.rows).toEqual([{ answer: 42 }]);
  }, 60_000);

  it('holds connections made while PGlite boots until it is ready', async () => {
    const server = startEmbeddedServer(newDataDir());

    const client = await connect(server);
    const { rows } = await client.query<{ ok: boolean }>('SELECT true AS ok');
    await client.end();
    await server.close();

    expect(rows).toEqual([{ ok: true }]);
  }, 60_000);

  it('when closed while still booting, finishes the boot, shuts down cleanly and frees the folder', async () => {
    const dataDir = newDataDir();

    await startEmbeddedServer(dataDir).close();
    const again = startEmbeddedServer(dataDir);
    await again.ready;
    await again.close();

    expect(hasEmbeddedDatabase(dataDir)).toBe(true);
    expect(existsSync(`${dataDir}.lock`)).toBe(false);
  }, 60_000);

  it('refuses a folder another live process holds, before starting anything', () => {
    const dataDir = newDataDir();
    writeFileSync(`${dataDir}.lock`, String(process.ppid));

    expect(() => startEmbeddedServer(dataDir)).toThrow(/in use by process \d+/);
  });

  it('reports a folder PGlite cannot use: ready rejects, connections fail, close frees the lock', async () => {
    const dataDir = newDataDir();
    writeFileSync(dataDir, 'not a folder');

    const server = startEmbeddedServer(dataDir);
    const connecting = connect(server);

    await expect(server.ready).rejects.toThrow(/did not start/);
    await expect(connecting).rejects.toThrow(/did not start/);
    await server.close();
    expect(existsSync(`${dataDir}.lock`)).toBe(false);
  }, 60_000);
});

describe('hasEmbeddedDatabase', () => {
  it('is false for a folder that does not exist yet', () => {
    expect(hasEmbeddedDatabase(newDataDir())).toBe(false);
  });
});
