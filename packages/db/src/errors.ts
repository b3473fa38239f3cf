/** Base of every error this package throws on purpose. */
export class DatabaseError extends Error {
  readonly sqlState: string | undefined;
  constructor(message: string, options: { cause?: unknown; sqlState?: string } = {}) {
    super(message, { cause: options.cause });
    this.name = 'DatabaseError';
    this.sqlState = options.sqlState;
  }
}

/** A unique constraint refused the row; `constraint` says which one. */
export class UniqueViolationError extends DatabaseError {
  readonly constraint: string | undefined;
  constructor(constraint: string | undefined, cause: unknown) {
    super(`unique constraint ${constraint ?? '(unknown)'} violated`, { cause, sqlState: '23505' });
    this.name = 'UniqueViolationError';
    this.constraint = constraint;
  }
}

/**
 * The database could not be reached or went away mid-query. `unavailable`
 * lets the service kit answer 503 without knowing this package.
 */
export class ConnectionLostError extends DatabaseError {
  readonly unavailable = true;
  constructor(cause: unknown, sqlState?: string) {
    super('database connection unavailable', sqlState ? { cause, sqlState } : { cause });
    this.name = 'ConnectionLostError';
  }
}

const connectionCodes = new Set(['ECONNREFUSED', 'ECONNRESET', 'EPIPE', 'ETIMEDOUT', 'ENOTFOUND', 'EAI_AGAIN']);

/** Maps a driver error (pg or PGlite, both speak SQLSTATE) to a typed one. */
export function translateError(err: unknown): unknown {
  if (err instanceof DatabaseError) return err;
  const e = err as { code?: unknown; constraint?: unknown; message?: unknown };
  const code = typeof e?.code === 'string' ? e.code : undefined;
  if (code === '23505')
    return new UniqueViolationError(typeof e.constraint === 'string' ? e.constraint : undefined, err);
  if (
    code &&
    (connectionCodes.has(code) || code.startsWith('08') || code === '57P01' || code === '57P02' || code === '57P03')
  ) {
    return new ConnectionLostError(err, code);
  }
  const message = typeof e?.message === 'string' ? e.message : '';
  if (
    /Connection terminated|connection timeout|Client has encountered a connection error|timeout exceeded when trying to connect/i.test(
      message,
    )
  ) {
    return new ConnectionLostError(err);
  }
  return err;
}
