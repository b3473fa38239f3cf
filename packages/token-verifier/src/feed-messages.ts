import { parseRevocationEvent, type RevocationEvent } from './revocation-event.js';

/**
 * What travels on the feed, on Redis pub/sub and on the HTTP stream alike:
 * one event, a heartbeat naming the newest sequence number, or (first on a
 * stream, and as the answer of a catch-up read) every relevant event after a
 * sequence number up to `latest`.
 */
export type FeedMessage =
  | { type: 'event'; event: RevocationEvent }
  | { type: 'heartbeat'; seq: number }
  | { type: 'catchup'; events: RevocationEvent[]; latest: number };

export function parseFeedMessage(text: string): FeedMessage | undefined {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return undefined;
  }
  if (typeof value !== 'object' || value === null) return undefined;
  const m = value as Record<string, unknown>;
  if (m.type === 'heartbeat' && Number.isSafeInteger(m.seq)) return { type: 'heartbeat', seq: m.seq as number };
  if (m.type === 'event') {
    const event = parseRevocationEvent(m.event);
    return event ? { type: 'event', event } : undefined;
  }
  if (m.type === 'catchup' && Array.isArray(m.events) && Number.isSafeInteger(m.latest)) {
    const events = m.events.map(parseRevocationEvent);
    if (events.some((e) => e === undefined)) return undefined;
    return { type: 'catchup', events: events as RevocationEvent[], latest: m.latest as number };
  }
  return undefined;
}
