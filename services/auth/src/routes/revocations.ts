import { PassThrough } from 'node:stream';
import Router from '@koa/router';
import { z } from 'zod';
import { requireServiceCredential, validate } from '@gatehouse/service-kit';
import type { FeedMessage } from '@gatehouse/token-verifier';
import type { AuthDeps } from '../deps.js';

const query = z.object({ after: z.coerce.number().int().min(0).default(0) });

/**
 * The revocation feed for verifiers in other services (not published through
 * nginx): a catch-up read by sequence number, and a server-sent-events stream
 * (catch-up, then events and heartbeats) for runs without Redis.
 */
export function revocationRoutes(deps: Pick<AuthDeps, 'settings' | 'revocationFeed'>) {
  const { revocationFeed: feed } = deps;
  const guard = requireServiceCredential(deps.settings.serviceSecret);
  return new Router()
    .get('/v1/revocations', guard, async (ctx) => {
      const { after } = validate(query, ctx.query);
      ctx.set('Cache-Control', 'no-store');
      ctx.body = await feed.catchUp(after);
    })
    .get('/v1/revocations/stream', guard, async (ctx) => {
      const { after } = validate(query, ctx.query);
      const stream = new PassThrough();
      // A verifier may hang up at any moment; nothing is written after that.
      const send = (message: FeedMessage) => {
        if (!stream.writableEnded) stream.write(`data: ${JSON.stringify(message)}\n\n`);
      };
      // Messages that arrive while the catch-up is read wait, so nothing falls between the two.
      let pending: FeedMessage[] | undefined = [];
      const unsubscribe = feed.subscribe((message) => {
        if (pending) return void pending.push(message);
        send(message);
        // A draining replica lets go of its streams; verifiers reopen them on another.
        if (message.type === 'heartbeat' && (ctx.app as { gatehouse?: { draining: boolean } }).gatehouse?.draining)
          stream.end();
      });
      const end = () => {
        unsubscribe();
        stream.end();
      };
      // The response's close, not the request's: a GET's request closes as soon as it has been read.
      ctx.res.on('close', end);
      stream.on('close', end);
      try {
        send(await feed.catchUp(after));
      } catch (err) {
        end();
        throw err;
      }
      for (const message of pending) send(message);
      pending = undefined;
      ctx.req.socket.setNoDelay(true);
      ctx.set({ 'Cache-Control': 'no-store', 'X-Accel-Buffering': 'no' });
      ctx.type = 'text/event-stream';
      ctx.body = stream;
    });
}
