import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { TestDatabase } from './test-database';

/** Something a process wrote, and where (for the failure message). */
export interface Output {
  where: string;
  text: string;
}

/** Every file under `dir`, read as latin1 so binary files (PNG chunks) are searched byte for byte. */
export function filesUnder(dir: string): Output[] {
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile())
    .map((entry) => ({ where: join(entry.parentPath, entry.name), text: readFileSync(join(entry.parentPath, entry.name), 'latin1') }));
}

/** Every row of every table in a PostgreSQL test database's schema, each as JSON text. */
export async function rowsOfSchema(db: TestDatabase): Promise<Output[]> {
  if (!db.schema) throw new Error('rowsOfSchema needs a PostgreSQL test database (one schema per file)');
  const tables: Array<{ table_name: string }> = await db.dataSource.query(`SELECT table_name FROM information_schema.tables WHERE table_schema = $1`, [db.schema]);
  const rows: Output[] = [];
  for (const { table_name } of tables) {
    const found: Array<{ row: string }> = await db.dataSource.query(`SELECT row_to_json(t)::text AS row FROM "${db.schema}"."${table_name}" t`);
    rows.push(...found.map(({ row }) => ({ where: `a row of ${table_name}`, text: row })));
  }
  return rows;
}

/** Each secret found in an output, with where and the text around it: `[]` when none is. */
export function secretsFound(outputs: readonly Output[], secrets: readonly string[]): string[] {
  return outputs.flatMap(({ where, text }) =>
    secrets
      .filter((secret) => text.includes(secret))
      .map((secret) => {
        const at = text.indexOf(secret);
        return `${secret} in ${where}: …${text.slice(Math.max(0, at - 120), at + secret.length + 40)}…`;
      }),
  );
}

/**
 * One secret for each setting that can hold one, planted by the leak tests of the CLI and the worker.
 * Distinct, searchable values: a hit names which setting leaked.
 */
export const PLANTED = {
  urlPassword: 'urlpw-5f0c2a9e',
  authHeaderValue: 'hdrkey-81d3b7c4',
  databasePassword: 'dbpw-2e6a9f13',
  databaseParamPassword: 'dbparam-7c41e0b8',
  galleryToken: 'gallerytok-93b15d2f0a',
} as const;

/** The Basic header the client builds from a `COMFYUI_BASE_URL` of `kilnuser` and the planted password. */
export const PLANTED_BASIC = Buffer.from(`kilnuser:${PLANTED.urlPassword}`).toString('base64');

/** Every planted secret, for {@link secretsFound}. */
export const PLANTED_SECRETS: readonly string[] = [...Object.values(PLANTED), PLANTED_BASIC];

/** A server URL with the user `kilnuser` and the planted password (the emulator ignores them). */
export function withPlantedCredentials(url: string): string {
  return url.replace('http://', `http://kilnuser:${PLANTED.urlPassword}@`);
}

/** The test schema's URL with the planted passwords in the user info and in `?password=` (trust auth ignores both). */
export function databaseUrlWithPlantedPasswords(db: TestDatabase, port?: number): string {
  if (!db.url) throw new Error('databaseUrlWithPlantedPasswords needs a PostgreSQL test database');
  const url = new URL(db.url);
  url.password = PLANTED.databasePassword;
  url.searchParams.set('password', PLANTED.databaseParamPassword);
  if (port) url.port = String(port);
  return url.href;
}
