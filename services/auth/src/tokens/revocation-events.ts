import type { Queryable } from '@gatehouse/db';
import type { RevocationEvent } from '@gatehouse/token-verifier';

// Every statement on `revocation_events` lives here.

type NewEvent =
  | { kind: 'jti' | 'session'; subject: string; exp: number }
  | { kind: 'user'; subject: string; before: number; exp: number };

interface EventRow {
  seq: string;
  kind: RevocationEvent['kind'];
  subject: string;
  before: string | null;
  exp: string;
}

// Any fixed number: the key of the advisory lock that orders appends.
const appendLock = 7_314_001;

/**
 * Appends one event inside the caller's transaction, the one that revokes, so
 * the event commits with the revocation or not at all. The lock is held until
 * that commit, so sequence order is commit order and a reader that has seen
 * seq N has seen every event before it.
 */
export async function recordRevocationEvent(tx: Queryable, event: NewEvent, now: Date): Promise<RevocationEvent> {
  await tx.query('SELECT pg_advisory_xact_lock($1)', [appendLock]);
  const { rows } = await tx.query<EventRow>(
    `INSERT INTO revocation_events (kind, subject, before, exp, created_at) VALUES ($1, $2, $3, $4, $5)
     RETURNING seq, kind, subject, before, exp`,
    [event.kind, event.subject, event.kind === 'user' ? event.before : null, event.exp, now],
  );
  return toEvent(rows[0]!);
}

export async function latestRevocationSeq(q: Queryable): Promise<number> {
  const { rows } = await q.query<{ seq: string | null }>('SELECT max(seq) AS seq FROM revocation_events');
  return Number(rows[0]?.seq ?? 0);
}

/** The events after `afterSeq` up to `upToSeq` whose tokens have not all expired, oldest first. */
export async function revocationEventsAfter(
  q: Queryable,
  afterSeq: number,
  upToSeq: number,
  nowSeconds: number,
  limit: number,
) {
  const { rows } = await q.query<EventRow>(
    `SELECT seq, kind, subject, before, exp FROM revocation_events
     WHERE seq > $1 AND seq <= $2 AND exp > $3 ORDER BY seq LIMIT $4`,
    [afterSeq, upToSeq, nowSeconds, limit],
  );
  return rows.map(toEvent);
}

/** Drops events whose tokens have all expired; the newest stays, so the sequence number survives. */
export async function pruneRevocationEvents(q: Queryable, nowSeconds: number): Promise<number> {
  const { rowCount } = await q.query(
    'DELETE FROM revocation_events WHERE exp <= $1 AND seq < (SELECT max(seq) FROM revocation_events)',
    [nowSeconds],
  );
  return rowCount;
}

function toEvent(row: EventRow): RevocationEvent {
  const base = { seq: Number(row.seq), subject: row.subject, exp: Number(row.exp) };
  return row.kind === 'user' ? { ...base, kind: 'user', before: Number(row.before) } : { ...base, kind: row.kind };
}

export type { NewEvent as NewRevocationEvent };
