export { databaseLocation, openDatabase } from './open-database';
export type { Database } from './open-database';
export { hasEmbeddedDatabase, startEmbeddedServer } from './embedded-server';
export type { EmbeddedServer } from './embedded-server';
export { DatabaseError } from './errors';
export { preparingPg } from './prepared-statements';
