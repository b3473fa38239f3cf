export interface QueryResult<R> {
  rows: R[];
  rowCount: number;
}

export interface Queryable {
  /** One statement with $1-style parameters; values never go into the SQL text. */
  query<R = Record<string, unknown>>(sql: string, params?: readonly unknown[]): Promise<QueryResult<R>>;
  /** Several statements, no parameters: for migrations only. */
  exec(sql: string): Promise<void>;
}

export interface Database extends Queryable {
  readonly kind: 'postgres' | 'pglite';
  /**
   * Postgres servers only: NOTIFYs on `channel`, over a connection of the
   * listener's own (see pg-listener). PGlite has one process, no one to hear from.
   */
  listen?(channel: string, handlers: ListenHandlers, options?: ListenOptions): Listening;
  /** Runs fn in one transaction: committed if it resolves, rolled back if it throws. */
  transaction<T>(fn: (tx: Queryable) => Promise<T>): Promise<T>;
  /** Resolves when the database answers a trivial query. */
  ping(): Promise<void>;
  close(): Promise<void>;
}

/** What a LISTEN reports. Between onLost and the next onListening, notifications are being missed. */
export interface ListenHandlers {
  onNotification(payload: string): void;
  /** LISTEN is in effect, first or again: whatever was sent while it was not has been missed. */
  onListening(): void;
  /** The connection is gone, or the first one could not be made; reported once per outage. */
  onLost(err: Error): void;
}

export interface ListenOptions {
  /** Shown in pg_stat_activity, so operators (and tests) can tell this connection apart. */
  applicationName?: string;
  /** The first retry waits this long, doubling up to maxRetryMs. */
  firstRetryMs?: number;
  maxRetryMs?: number;
  /** The connection is asked a trivial query this often and counted lost when it does not answer in time. */
  heartbeatMs?: number;
}

export interface Listening {
  close(): Promise<void>;
}
