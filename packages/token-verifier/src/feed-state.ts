import type { FeedMessage } from './feed-messages.js';
import type { RevocationEvent } from './revocation-event.js';

export interface FeedStateOptions {
  staleAfterMs: number;
  now: () => number;
  apply: (event: RevocationEvent) => void;
  /** Asks for the events after `seq` (a gap was seen); the answer comes back through `receive`. */
  catchUp: (afterSeq: number) => void;
}

/**
 * Where a verifier stands on the feed: the newest sequence number applied,
 * and when auth was last heard. It is fresh only when auth spoke within
 * `staleAfterMs` and no event is known to be missing.
 */
export class FeedState {
  lastSeq = 0;
  private heardAt = Number.NEGATIVE_INFINITY;
  private behind = true;

  constructor(private readonly options: FeedStateOptions) {}

  isFresh(): boolean {
    return !this.behind && this.options.now() - this.heardAt <= this.options.staleAfterMs;
  }

  /** The transport lost its connection: nothing it said earlier vouches for now. */
  lost(): void {
    this.heardAt = Number.NEGATIVE_INFINITY;
  }

  receive(message: FeedMessage): void {
    const { apply, now } = this.options;
    switch (message.type) {
      case 'event':
        this.heardAt = now();
        if (message.event.seq <= this.lastSeq) return;
        if (message.event.seq !== this.lastSeq + 1) return this.fallBehind();
        apply(message.event);
        this.lastSeq = message.event.seq;
        return;
      case 'heartbeat':
        this.heardAt = now();
        if (message.seq > this.lastSeq) return this.fallBehind();
        this.behind = false;
        return;
      case 'catchup':
        for (const event of message.events) if (event.seq > this.lastSeq) apply(event);
        this.lastSeq = Math.max(this.lastSeq, message.latest);
        this.heardAt = now();
        this.behind = false;
        return;
    }
  }

  private fallBehind(): void {
    this.behind = true;
    this.options.catchUp(this.lastSeq);
  }
}
