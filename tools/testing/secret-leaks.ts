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
