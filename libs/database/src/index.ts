export { openDatabase } from './open-database';
export type { Database, OpenDatabaseOptions } from './open-database';
export { DatabaseError } from './errors';
export type { DatabaseErrorCode } from './errors';
export { redactDatabaseUrl } from './redact-url';
