export type DatabaseErrorCode = 'DATABASE_UNREACHABLE' | 'DATABASE_LOCKED' | 'DATABASE_INVALID_URL';

/** Failures opening or migrating the database; messages say what to do. */
export class DatabaseError extends Error {
  override readonly name = 'DatabaseError';

  constructor(
    readonly code: DatabaseErrorCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}
