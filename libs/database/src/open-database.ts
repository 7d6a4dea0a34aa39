import 'reflect-metadata';
import { redactUrl } from '@kiln/settings';
import type { DataSource, DataSourceOptions, EntitySchema, MigrationInterface } from 'typeorm';
import { startEmbeddedServer, type EmbeddedServer } from './embedded-server';
import { DatabaseError } from './errors';

// eslint-disable-next-line @typescript-eslint/no-unsafe-function-type
type EntityClass = Function | EntitySchema;
type MigrationClass = new () => MigrationInterface;

export interface OpenDatabaseOptions {
  /** PostgreSQL URL; unset → the embedded PostgreSQL (PGlite) in `dataDir`. */
  url?: string;
  /** Folder of the embedded database (the apps take it from `KILN_DATA_DIR`); needed unless `url` or `embedded` is given. */
  dataDir?: string;
  /**
   * The embedded database already started ({@link startEmbeddedServer}), e.g. early so it boots while
   * the caller does other work; used instead of starting one for `dataDir`. The returned database
   * owns it: it is closed with the database, or when opening fails.
   */
  embedded?: EmbeddedServer;
  entities: EntityClass[];
  migrations: MigrationClass[];
  /** Run pending migrations after connecting (default true). */
  migrate?: boolean;
  /** PostgreSQL pool size (default 10); the embedded database always uses 1. */
  poolSize?: number;
  /** A PostgreSQL schema to live in (tests give each file its own). */
  schema?: string;
}

export interface Database {
  dataSource: DataSource;
  kind: 'postgres' | 'embedded';
  /** Where it is, fit for logs (password redacted). */
  location: string;
  close(): Promise<void>;
}

/**
 * Where the database of these options is, fit for logs and terminals (password redacted): the one
 * rule every process prints at start, so a worker and a CLI on different databases show it.
 */
export function databaseLocation(options: { url?: string; dataDir?: string }): string {
  return options.url ? redactUrl(options.url) : `embedded PostgreSQL in ${options.dataDir}`;
}

/** Opens (and by default migrates) Kiln's database: PostgreSQL when a URL is given, else embedded. */
export async function openDatabase(options: OpenDatabaseOptions): Promise<Database> {
  return options.url ? openPostgres(options.url, options) : openEmbedded(options);
}

async function openPostgres(url: string, options: OpenDatabaseOptions): Promise<Database> {
  const location = databaseLocation({ url });
  if (!/^postgres(ql)?:\/\//.test(url)) {
    throw new DatabaseError(
      'DATABASE_INVALID_URL',
      `DATABASE_URL ${location} is not a PostgreSQL URL; use postgres://user:password@host:5432/db, or unset it to use the embedded database`,
    );
  }
  const { createDataSource } = await import('./create-data-source.js');
  const dataSource = createDataSource({
    ...common(options),
    url,
    poolSize: options.poolSize ?? 10,
    // JIT off: Kiln's queries are short and run once per job; a cost estimate over PostgreSQL's JIT
    // threshold (stale statistics early in a run) made one selection compile for ~250 ms.
    extra: { options: ['-c jit=off', ...(options.schema ? [`-c search_path=${options.schema}`] : [])].join(' ') },
    ...(options.schema ? { schema: options.schema } : {}),
  } as DataSourceOptions);
  await initialize(dataSource, location, options);
  return { dataSource, kind: 'postgres', location, close: () => dataSource.destroy() };
}

async function openEmbedded(options: OpenDatabaseOptions): Promise<Database> {
  if (!options.embedded && !options.dataDir) throw new Error('openDatabase needs url, dataDir or embedded');
  const server = options.embedded ?? startEmbeddedServer(options.dataDir as string);
  const location = databaseLocation({ dataDir: server.dataDir });
  let dataSource: DataSource | undefined;
  try {
    const { createDataSource } = await import('./create-data-source.js');
    const opened = createDataSource({
      ...common(options),
      // PGlite runs one session: one pooled connection, and a timeout instead of a silent wait.
      poolSize: 1,
      connectTimeoutMS: 30_000,
      // node-postgres over the worker's wire protocol; explicit settings so PG* variables meant for
      // a PostgreSQL server (PGSSLMODE, PGDATABASE…) do not reach PGlite.
      extra: { stream: () => server.connect(), host: 'localhost', port: 5432, user: 'postgres', password: 'embedded', database: 'postgres', ssl: false },
      // PGlite has no uuid-ossp: TypeORM's CREATE EXTENSION failed (quietly) on every open. The
      // schema's defaults use the built-in gen_random_uuid().
      installExtensions: false,
    } as DataSourceOptions);
    dataSource = opened;
    await initialize(opened, location, options);
    return {
      dataSource: opened,
      kind: 'embedded',
      location,
      close: async () => {
        try {
          await opened.destroy();
        } finally {
          await server.close();
        }
      },
    };
  } catch (error) {
    if (dataSource?.isInitialized) await dataSource.destroy().catch(() => undefined);
    await server.close();
    throw error;
  }
}

function common(options: OpenDatabaseOptions) {
  return {
    type: 'postgres' as const,
    entities: options.entities,
    migrations: options.migrations,
    migrationsTableName: 'kiln_migrations',
    synchronize: false,
    logging: false,
  };
}

async function initialize(dataSource: DataSource, location: string, options: OpenDatabaseOptions): Promise<void> {
  try {
    await dataSource.initialize();
  } catch (error) {
    throw new DatabaseError(
      'DATABASE_UNREACHABLE',
      `cannot connect to ${location}: ${(error as Error).message}. Check that PostgreSQL is running and DATABASE_URL is right, ` +
        `or unset DATABASE_URL to use the embedded database`,
      { cause: error },
    );
  }
  if (options.migrate !== false && (await hasPendingMigrations(dataSource))) {
    await dataSource.runMigrations({ transaction: 'each' });
  }
}

/**
 * Whether a migration is not recorded yet, by the name TypeORM records. Two cheap queries instead of
 * TypeORM's own check (information_schema lookups, ~80 ms on a cold embedded database) on every
 * start of a database that is almost always up to date.
 */
async function hasPendingMigrations(dataSource: DataSource): Promise<boolean> {
  const [{ found }] = await dataSource.query(`SELECT to_regclass('kiln_migrations') IS NOT NULL AS found`);
  if (!found) return true;
  const rows: Array<{ name: string }> = await dataSource.query(`SELECT name FROM kiln_migrations`);
  const done = new Set(rows.map((row) => row.name));
  return dataSource.migrations.some((migration) => !done.has(migration.name ?? migration.constructor.name));
}
