import type { AuthEndpoints } from './auth-endpoints.js';
import type { FeedState } from './feed-state.js';

/** One way of hearing auth's revocation feed. */
export interface FeedTransport {
  /** Reads the events after `afterSeq` and hands them to the state. */
  catchUp(afterSeq: number): void;
  /** Settles once the first contact was tried. */
  ready: Promise<unknown>;
  close(): Promise<void>;
}

export type TransportFactory = (state: FeedState) => FeedTransport;

/** Reads auth's events after a sequence number, one read at a time. */
export function catchUpOverHttp(endpoints: AuthEndpoints, state: FeedState, onError: (err: Error) => void) {
  let catching: Promise<void> | undefined;
  const catchUp = (afterSeq: number) => {
    catching ??= endpoints
      .catchUp(afterSeq)
      .then((message) => state.receive(message), onError)
      .finally(() => {
        catching = undefined;
      });
  };
  return { catchUp, settled: () => catching };
}
