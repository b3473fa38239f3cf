import type { Queryable } from '@gatehouse/db';

export interface RateWindow {
  used: number;
  reset_at: Date;
}

/**
 * Counts one request against the subject's hourly window and returns the
 * window, in one statement: a window past its reset starts over at 1.
 */
export async function countRequest(q: Queryable, subject: string, now: Date, windowMs: number): Promise<RateWindow> {
  const { rows } = await q.query<RateWindow>(
    `INSERT INTO sandbox_rate_usage AS r (subject, used, reset_at) VALUES ($1, 1, $3)
     ON CONFLICT (subject) DO UPDATE SET
       used = CASE WHEN r.reset_at <= $2 THEN 1 ELSE r.used + 1 END,
       reset_at = CASE WHEN r.reset_at <= $2 THEN $3 ELSE r.reset_at END
     RETURNING used, reset_at`,
    [subject, now, new Date(now.getTime() + windowMs)],
  );
  return rows[0]!;
}

/** The window as it stands, without counting (GET /rate_limit does not count). */
export async function readWindow(q: Queryable, subject: string, now: Date): Promise<RateWindow | undefined> {
  const { rows } = await q.query<RateWindow>(
    'SELECT used, reset_at FROM sandbox_rate_usage WHERE subject = $1 AND reset_at > $2',
    [subject, now],
  );
  return rows[0];
}
