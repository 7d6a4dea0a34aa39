export { openDatabase } from './open-database';
export type { Database, OpenDatabaseOptions } from './open-database';
export { hasEmbeddedDatabase, startEmbeddedServer } from './embedded-server';
export type { EmbeddedServer } from './embedded-server';
export { DatabaseError } from './errors';
export type { DatabaseErrorCode } from './errors';
export { preparingPg } from './prepared-statements';
