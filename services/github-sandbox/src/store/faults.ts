import type { Queryable } from '@gatehouse/db';

export const faultKinds = [
  'status',
  'primary_rate_limit',
  'secondary_rate_limit',
  'slow',
  'revoked_token',
  'lost_response',
] as const;
export type FaultKind = (typeof faultKinds)[number];

export interface FaultParams {
  /** status: 500 or 502; secondary_rate_limit: 403 or 429. */
  status?: number;
  /** secondary_rate_limit: seconds in Retry-After; absent sends none. */
  retry_after?: number;
  /** slow: delay before answering. */
  delay_ms?: number;
}

export interface Fault {
  id: number;
  kind: FaultKind;
  method: string | null;
  path_prefix: string;
  remaining: number;
  params: FaultParams;
}

const columns = 'id::int AS id, kind, method, path_prefix, remaining, params';

/** Every statement on sandbox_faults lives here. */
export async function insertFault(q: Queryable, fault: Omit<Fault, 'id'>, now: Date): Promise<Fault> {
  const { rows } = await q.query<Fault>(
    `INSERT INTO sandbox_faults (kind, method, path_prefix, remaining, params, created_at) VALUES ($1, $2, $3, $4, $5, $6)
     RETURNING ${columns}`,
    [fault.kind, fault.method, fault.path_prefix, fault.remaining, JSON.stringify(fault.params), now],
  );
  return rows[0]!;
}

export async function listFaults(q: Queryable): Promise<Fault[]> {
  const { rows } = await q.query<Fault>(`SELECT ${columns} FROM sandbox_faults WHERE remaining > 0 ORDER BY id`);
  return rows;
}

export async function clearFaults(q: Queryable): Promise<void> {
  await q.query('DELETE FROM sandbox_faults');
}

/** Takes one use of the oldest fault matching this request, if any: concurrent requests never share a use. */
export async function claimFault(q: Queryable, method: string, path: string): Promise<Fault | undefined> {
  const { rows } = await q.query<Fault>(
    `UPDATE sandbox_faults SET remaining = remaining - 1 WHERE id = (
       SELECT id FROM sandbox_faults
       WHERE remaining > 0 AND (method IS NULL OR method = $1) AND starts_with($2, path_prefix)
       ORDER BY id LIMIT 1 FOR UPDATE SKIP LOCKED)
     RETURNING ${columns}`,
    [method, path],
  );
  return rows[0];
}
