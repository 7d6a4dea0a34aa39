import { describeEachDatabase } from '@kiln/testing';
import { MAX_PREPARED_PER_CONNECTION } from '../src/prepared-statements';

/** The statements this connection has prepared, by text. */
async function preparedOn(run: (sql: string, params?: unknown[]) => Promise<Array<Record<string, unknown>>>): Promise<Map<string, string>> {
  const rows = await run(`SELECT name, statement FROM pg_prepared_statements`);
  return new Map(rows.map((r) => [String(r['statement']), String(r['name'])]));
}

describeEachDatabase('prepared statements', [], [], (getDataSource) => {
  it('prepares a parameterised statement once per connection and reuses it; leaves parameterless ones unnamed', async () => {
    const runner = getDataSource().createQueryRunner();
    try {
      const run = (sql: string, params?: unknown[]) => runner.query(sql, params);
      const text = `SELECT $1::int + 1 AS next`;
      const answers = [await run(text, [1]), await run(text, [41])];
      await run(`SELECT 'no parameters' AS plain`);

      const prepared = await preparedOn(run);
      expect(answers.map((rows) => rows[0].next)).toEqual([2, 42]);
      expect(prepared.get(text)).toMatch(/^kiln_[0-9a-f]{24}$/);
      expect([...prepared.keys()].filter((s) => s === text)).toHaveLength(1);
      expect(prepared.has(`SELECT 'no parameters' AS plain`)).toBe(false);
    } finally {
      await runner.release();
    }
  });

  it(`stops preparing new texts after ${MAX_PREPARED_PER_CONNECTION} on a connection, and still runs them`, async () => {
    const runner = getDataSource().createQueryRunner();
    try {
      const run = (sql: string, params?: unknown[]) => runner.query(sql, params);
      const before = (await preparedOn(run)).size;
      const texts = Array.from({ length: MAX_PREPARED_PER_CONNECTION + 5 }, (_, i) => `SELECT $1::int + ${i} AS n`);
      const results: number[] = [];
      for (const text of texts) results.push((await run(text, [1]))[0].n);

      const prepared = await preparedOn(run);
      expect(results.at(-1)).toBe(MAX_PREPARED_PER_CONNECTION + 5);
      expect(prepared.size).toBeLessThanOrEqual(MAX_PREPARED_PER_CONNECTION);
      expect(prepared.size).toBeGreaterThan(before);
      expect(prepared.has(texts.at(-1) as string)).toBe(false);
    } finally {
      await runner.release();
    }
  });
});
