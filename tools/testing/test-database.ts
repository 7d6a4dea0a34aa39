import 'reflect-metadata';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { DataSource, type DataSourceOptions, type MigrationInterface } from 'typeorm';
// The driver Kiln's own databases use (statements prepared per connection), so tests run the same path.
import { preparingPg } from '@kiln/database';

export type TestDatabaseKind = 'postgres' | 'pglite';
// eslint-disable-next-line @typescript-eslint/no-unsafe-function-type
type EntityClass = Function;
type MigrationClass = new () => MigrationInterface;

export interface TestDatabase {
  dataSource: DataSource;
  kind: TestDatabaseKind;
  /** A URL another process can use to reach the same rows (PostgreSQL only). */
  url?: string;
  schema?: string;
  close(): Promise<void>;
}

/** The PostgreSQL that tests use; each test file gets its own schema in it. */
export const testPostgresUrl = process.env['KILN_TEST_DATABASE_URL'] ?? 'postgres://postgres@127.0.0.1:5432/test';

const snapshotDir = resolve(__dirname, '../../tmp/test-support');

/** A fresh, migrated database of the given kind; rows never leak between callers. */
export async function openTestDatabase(
  kind: TestDatabaseKind,
  entities: EntityClass[],
  migrations: MigrationClass[],
): Promise<TestDatabase> {
  return kind === 'postgres' ? openPostgresSchema(entities, migrations) : openPglite(entities, migrations);
}

async function openPostgresSchema(entities: EntityClass[], migrations: MigrationClass[]): Promise<TestDatabase> {
  const schema = `t_${Date.now().toString(36)}_${randomBytes(4).toString('hex')}`;
  const admin = new DataSource({ type: 'postgres', url: testPostgresUrl, poolSize: 1 } as DataSourceOptions);
  await admin.initialize();
  await admin.query(`CREATE SCHEMA ${schema}`);
  await admin.destroy();
  const dataSource = new DataSource({
    type: 'postgres',
    url: testPostgresUrl,
    schema,
    extra: { options: `-c search_path=${schema}` },
    entities,
    migrations,
    migrationsTableName: 'kiln_migrations',
    poolSize: 10,
    driver: preparingPg(),
  } as DataSourceOptions);
  await dataSource.initialize();
  await dataSource.runMigrations({ transaction: 'each' });
  return {
    dataSource,
    kind: 'postgres',
    url: `${testPostgresUrl}${testPostgresUrl.includes('?') ? '&' : '?'}options=${encodeURIComponent(`-c search_path=${schema}`)}`,
    schema,
    close: async () => {
      await dataSource.query(`DROP SCHEMA ${schema} CASCADE`);
      await dataSource.destroy();
    },
  };
}

async function openPglite(entities: EntityClass[], migrations: MigrationClass[]): Promise<TestDatabase> {
  const { PGlite } = await import('@electric-sql/pglite');
  const { createPgConfig } = await import('@electric-sql/pglite/node-postgres');
  // A new PGlite takes ~4 s to initdb; loading a dumped empty cluster takes well under one.
  const pglite = new PGlite({ loadDataDir: await emptyClusterSnapshot() });
  const dataSource = new DataSource({
    type: 'postgres',
    extra: createPgConfig(pglite),
    poolSize: 1,
    connectTimeoutMS: 30_000,
    entities,
    migrations,
    migrationsTableName: 'kiln_migrations',
    driver: preparingPg(),
  } as DataSourceOptions);
  await dataSource.initialize();
  await dataSource.runMigrations({ transaction: 'each' });
  return {
    dataSource,
    kind: 'pglite',
    close: async () => {
      await dataSource.destroy();
      await pglite.close();
    },
  };
}

async function emptyClusterSnapshot(): Promise<Blob> {
  const { PGlite } = await import('@electric-sql/pglite');
  const version = readPgliteVersion();
  const file = join(snapshotDir, `pglite-empty-${version}.tar.gz`);
  if (!existsSync(file)) {
    const fresh = new PGlite();
    await fresh.waitReady;
    const dump = await fresh.dumpDataDir('gzip');
    await fresh.close();
    mkdirSync(snapshotDir, { recursive: true });
    const temp = `${file}.${process.pid}.tmp`;
    writeFileSync(temp, Buffer.from(await dump.arrayBuffer()));
    renameSync(temp, file);
  }
  return new Blob([readFileSync(file)]);
}

function readPgliteVersion(): string {
  const entry = require.resolve('@electric-sql/pglite'); // …/pglite/dist/index.cjs
  return JSON.parse(readFileSync(join(entry, '../../package.json'), 'utf8')).version;
}

/** Which kinds the suites run on: both by default; `KILN_TEST_DATABASES=postgres` narrows it. */
export function testDatabaseKinds(): TestDatabaseKind[] {
  const wanted = (process.env['KILN_TEST_DATABASES'] ?? 'postgres,pglite').split(',').map((s) => s.trim());
  return (['postgres', 'pglite'] as const).filter((k) => wanted.includes(k));
}

/**
 * Runs a suite once per database kind, each with its own fresh migrated database for the file.
 * `getDataSource()` is valid inside tests (after beforeAll).
 */
export function describeEachDatabase(
  title: string,
  entities: EntityClass[],
  migrations: MigrationClass[],
  suite: (getDataSource: () => DataSource, kind: TestDatabaseKind) => void,
): void {
  for (const kind of testDatabaseKinds()) {
    describe(`${title} [${kind}]`, () => {
      let db: TestDatabase | undefined;
      beforeAll(async () => {
        db = await openTestDatabase(kind, entities, migrations);
      }, 60_000);
      afterAll(async () => {
        await db?.close();
      });
      suite(() => {
        if (!db) throw new Error('the test database is not open yet (use it inside tests or hooks)');
        return db.dataSource;
      }, kind);
    });
  }
}
