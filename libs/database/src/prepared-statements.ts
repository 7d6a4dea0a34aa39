import { createHash } from 'node:crypto';
import pg from 'pg';

/**
 * Distinct statement texts a connection prepares by default; later ones run unnamed, as pg does by default.
 * @internal exported for the spec that checks the bound
 */
export const MAX_PREPARED_PER_CONNECTION = 500;

type QueryFn = (config: unknown, values?: unknown, callback?: unknown) => unknown;

/**
 * The `pg` module, with every parameterised statement sent as a named prepared statement (named
 * after a hash of its text). PostgreSQL then parses and plans each of Kiln's statements once per
 * connection instead of on every call: planning the selection queries cost more than running them
 * (the step lock: parse + bind 1.8 ms against 0.5 ms to execute, read off `log_min_duration_statement`). A connection prepares at most
 * {@link MAX_PREPARED_PER_CONNECTION} texts, so a source of ever-new texts (IN lists of varying
 * length) cannot grow its memory without bound. Statements without parameters (BEGIN, COMMIT, DDL)
 * run as before. Handed to TypeORM as its `driver`.
 */
export function preparingPg(maxPerConnection = MAX_PREPARED_PER_CONNECTION): typeof pg {
  class PreparingPool extends pg.Pool {
    constructor(options?: pg.PoolConfig) {
      super(options);
      this.on('connect', (client) => prepareStatementsOn(client, maxPerConnection));
    }
  }
  return Object.create(pg, { Pool: { value: PreparingPool } }) as typeof pg;
}

function prepareStatementsOn(client: pg.PoolClient, maxPerConnection: number): void {
  const query = client.query.bind(client) as QueryFn;
  const names = new Map<string, string>();
  (client as unknown as { query: QueryFn }).query = (config, values, callback) => {
    if (typeof config !== 'string' || !Array.isArray(values) || values.length === 0) return query(config, values, callback);
    let name = names.get(config);
    if (!name && names.size < maxPerConnection) {
      name = `kiln_${createHash('sha1').update(config).digest('hex').slice(0, 24)}`;
      names.set(config, name);
    }
    return name ? query({ name, text: config, values }, callback) : query(config, values, callback);
  };
}
