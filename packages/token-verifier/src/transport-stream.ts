import type { AuthEndpoints } from './auth-endpoints.js';
import { parseFeedMessage } from './feed-messages.js';
import type { FeedState } from './feed-state.js';
import { catchUpOverHttp, type FeedTransport } from './transport.js';

const retryDelaysMs = [100, 250, 500, 1000, 2000];

/**
 * Without Redis: one long-lived server-sent-events response from auth. It
 * opens with a catch-up from our sequence number, then pushes events and
 * heartbeats. A dropped stream is reopened from where we stood.
 */
export function streamTransport(endpoints: AuthEndpoints, onError: (err: Error) => void) {
  return (state: FeedState): FeedTransport => {
    const stop = new AbortController();
    // A stream delivers in order; a gap can only follow a dropped message, and is read back the same way Redis does.
    const { catchUp, settled } = catchUpOverHttp(endpoints, state, onError);
    let firstContact!: () => void;
    const ready = new Promise<void>((resolve) => {
      firstContact = resolve;
    });

    async function readOnce(): Promise<boolean> {
      const response = await fetch(endpoints.url(`/v1/revocations/stream?after=${state.lastSeq}`), {
        headers: { authorization: endpoints.authorization, accept: 'text/event-stream' },
        signal: stop.signal,
      });
      if (!response.ok || !response.body) throw new Error(`revocation stream answered ${response.status}`);
      let buffer = '';
      let heard = false;
      for await (const chunk of response.body.pipeThrough(new TextDecoderStream())) {
        buffer += chunk;
        let end: number;
        while ((end = buffer.indexOf('\n\n')) >= 0) {
          const frame = buffer.slice(0, end);
          buffer = buffer.slice(end + 2);
          const data = frame
            .split('\n')
            .filter((line) => line.startsWith('data:'))
            .map((line) => line.slice(5).trimStart())
            .join('\n');
          const message = data ? parseFeedMessage(data) : undefined;
          if (!message) continue;
          state.receive(message);
          heard = true;
          firstContact();
        }
      }
      return heard;
    }

    const loop = (async () => {
      let attempt = 0;
      while (!stop.signal.aborted) {
        try {
          if (await readOnce()) attempt = 0;
        } catch (err) {
          if (stop.signal.aborted) break;
          onError(err as Error);
        }
        state.lost();
        firstContact();
        const delay = retryDelaysMs[Math.min(attempt, retryDelaysMs.length - 1)]!;
        attempt += 1;
        await new Promise((resolve) => setTimeout(resolve, delay).unref());
      }
    })();

    return {
      catchUp,
      ready,
      async close() {
        stop.abort();
        await loop;
        await settled();
      },
    };
  };
}
