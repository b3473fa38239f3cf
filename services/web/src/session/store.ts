/** What koa-session asks of an external store, narrowed to what Gatehouse uses. */
export interface SessionStore {
  /** The record filed under this session id, or undefined when there is none or it expired. */
  get(sessionId: string): Promise<Record<string, unknown> | undefined>;
  /** Files the record until `expiresAt` (ms since epoch). */
  set(sessionId: string, data: Record<string, unknown>, expiresAt: number): Promise<void>;
  destroy(sessionId: string): Promise<void>;
  ping(): Promise<void>;
  close(): Promise<void>;
  readonly kind: 'redis' | 'postgres' | 'pglite';
}
