import { mkdtempSync, existsSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Column, DataSource, Entity, PrimaryGeneratedColumn, type MigrationInterface, type QueryRunner } from 'typeorm';
import { openDatabase, DatabaseError, startEmbeddedServer } from '../src';
import { testPostgresUrl } from '@kiln/testing';

@Entity('notes')
class Note {
  @PrimaryGeneratedColumn() id!: number;
  @Column({ type: 'text' }) text!: string;
}

class CreateNotes1700000000000 implements MigrationInterface {
  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`CREATE TABLE notes (id serial PRIMARY KEY, text text NOT NULL)`);
  }
  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE notes`);
  }
}

class AddNoteTags1700000001000 implements MigrationInterface {
  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE notes ADD COLUMN tags text`);
  }
  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE notes DROP COLUMN tags`);
  }
}

const schema = { entities: [Note], migrations: [CreateNotes1700000000000] };

describe('openDatabase', () => {
  it('opens the embedded database when no URL is given, migrates it, and keeps rows across reopen', async () => {
    const dataDir = join(mkdtempSync(join(tmpdir(), 'kiln-db-')), 'db');

    const first = await openDatabase({ ...schema, dataDir });
    await first.dataSource.getRepository(Note).save({ text: 'kept' });
    await first.close();
    const second = await openDatabase({ ...schema, dataDir });
    const notes = await second.dataSource.getRepository(Note).find();
    await second.close();

    expect(first.kind).toBe('embedded');
    expect(first.location).toContain(dataDir);
    expect(notes.map((n) => n.text)).toEqual(['kept']);
    expect(existsSync(`${dataDir}.lock`)).toBe(false);
  }, 60_000);

  it('runs a migration added after the database was made, and only that one', async () => {
    const dataDir = join(mkdtempSync(join(tmpdir(), 'kiln-db-')), 'db');
    const first = await openDatabase({ ...schema, dataDir });
    await first.dataSource.getRepository(Note).save({ text: 'before' });
    await first.close();

    const second = await openDatabase({ ...schema, migrations: [CreateNotes1700000000000, AddNoteTags1700000001000], dataDir });
    const columns = await second.dataSource.query(`SELECT column_name FROM information_schema.columns WHERE table_name = 'notes' ORDER BY column_name`);
    const recorded = await second.dataSource.query(`SELECT name FROM kiln_migrations ORDER BY id`);
    const notes = await second.dataSource.getRepository(Note).find();
    await second.close();

    expect(columns.map((c: { column_name: string }) => c.column_name)).toEqual(['id', 'tags', 'text']);
    expect(recorded.map((m: { name: string }) => m.name)).toEqual(['CreateNotes1700000000000', 'AddNoteTags1700000001000']);
    expect(notes.map((n) => n.text)).toEqual(['before']);
  }, 60_000);

  it('opens an embedded database started earlier, and closes it with the database', async () => {
    const dataDir = join(mkdtempSync(join(tmpdir(), 'kiln-db-')), 'db');
    const embedded = startEmbeddedServer(dataDir);

    const db = await openDatabase({ ...schema, embedded });
    await db.dataSource.getRepository(Note).save({ text: 'early' });
    await db.close();

    expect(db.location).toBe(`embedded PostgreSQL in ${dataDir}`);
    expect(existsSync(`${dataDir}.lock`)).toBe(false);
    await embedded.close();
  }, 60_000);

  it('refuses a second opener of the same embedded folder while the first process lives', async () => {
    const dataDir = join(mkdtempSync(join(tmpdir(), 'kiln-db-')), 'db');
    writeFileSync(`${dataDir}.lock`, String(process.ppid));

    const attempt = openDatabase({ ...schema, dataDir });

    await expect(attempt).rejects.toBeInstanceOf(DatabaseError);
    await expect(attempt).rejects.toThrow(/in use by process \d+.*set DATABASE_URL/);
  });

  it('takes over a lock left by a process that no longer exists', async () => {
    const dataDir = join(mkdtempSync(join(tmpdir(), 'kiln-db-')), 'db');
    writeFileSync(`${dataDir}.lock`, '999999999');

    const db = await openDatabase({ ...schema, dataDir });
    await db.close();

    expect(db.kind).toBe('embedded');
  }, 60_000);

  it('opens PostgreSQL from a URL and runs the same migrations in the given schema', async () => {
    const schemaName = `t_open_${Date.now().toString(36)}`;
    const admin = new DataSource({ type: 'postgres', url: testPostgresUrl });
    await admin.initialize();
    await admin.query(`CREATE SCHEMA ${schemaName}`);

    const db = await openDatabase({ ...schema, url: testPostgresUrl, schema: schemaName });
    const [{ jit }] = await db.dataSource.query('SHOW jit');
    const [{ search_path: searchPath }] = await db.dataSource.query('SHOW search_path');
    const tables = await admin.query(
      `SELECT table_name FROM information_schema.tables WHERE table_schema = $1 ORDER BY table_name`,
      [schemaName],
    );
    await db.close();
    await admin.query(`DROP SCHEMA ${schemaName} CASCADE`);
    await admin.destroy();

    expect(db.kind).toBe('postgres');
    expect(tables.map((t: { table_name: string }) => t.table_name)).toEqual(['kiln_migrations', 'notes']);
    // Short per-job queries: JIT compiling one costs far more than running it.
    expect(jit).toBe('off');
    expect(searchPath).toBe(schemaName);
  });

  it('says how to fix an unreachable server without printing its password', async () => {
    const attempt = openDatabase({ ...schema, url: 'postgres://kiln:hunter2@127.0.0.1:1/kiln' });

    await expect(attempt).rejects.toMatchObject({ code: 'DATABASE_UNREACHABLE' });
    await expect(attempt).rejects.toThrow(/cannot connect to postgres:\/\/kiln:\*\*\*@127\.0\.0\.1:1\/kiln/);
    await expect(attempt).rejects.not.toThrow(/hunter2/);
  });

  it('rejects a URL that is not PostgreSQL', async () => {
    await expect(openDatabase({ ...schema, url: 'mysql://root@localhost/x' })).rejects.toMatchObject({
      code: 'DATABASE_INVALID_URL',
    });
  });
});
