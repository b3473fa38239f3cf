import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type WebSocket } from 'ws';
import type { MirrorDeps } from '../deps.js';
import { isFinished, jobView } from '../mirror/job-view.js';
import { findJob } from '../store/mirror-jobs.js';
import { bearerOf } from './bearer.js';

const path = /^\/v1\/mirrors\/([0-9a-f-]{36})\/events$/;
export const closeRevoked = 4401;

type EventDeps = Pick<MirrorDeps, 'db' | 'verifier' | 'logger'>;

interface Watch {
  ws: WebSocket;
  token: string;
  jobId: string;
  last: string;
}

function refuse(socket: Duplex, status: number, reason: string) {
  socket.end(`HTTP/1.1 ${status} ${reason}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
}

/**
 * The job's progress over a WebSocket. The token is checked before the
 * upgrade; afterwards every revocation signal re-checks each open socket's
 * token and closes it with 4401 if it no longer passes. Changes are found by
 * polling the row, which also carries changes made by other replicas.
 */
export function createJobEvents(deps: EventDeps, options: { pollMs?: number } = {}) {
  const wss = new WebSocketServer({ noServer: true, maxPayload: 1024 });
  const watches = new Set<Watch>();

  const recheck = async (watch: Watch) => {
    const verdict = await deps.verifier.verify(watch.token);
    if (!verdict.ok) {
      watches.delete(watch);
      watch.ws.close(closeRevoked, 'token revoked or expired');
    }
  };
  const unsubscribe = deps.verifier.onRevoked(() => {
    for (const watch of watches) void recheck(watch);
  });

  const push = async (watch: Watch) => {
    const job = await findJob(deps.db, watch.jobId);
    if (!job || !watches.has(watch)) return;
    const text = JSON.stringify(jobView(job));
    if (text !== watch.last) {
      watch.last = text;
      watch.ws.send(text);
    }
    if (isFinished(job)) {
      watches.delete(watch);
      watch.ws.close(1000, job.status);
    }
  };
  const poll = setInterval(() => {
    for (const watch of watches) {
      void recheck(watch)
        .then(() => push(watch))
        .catch((err: unknown) => deps.logger.warn({ err }, 'job event poll failed'));
    }
  }, options.pollMs ?? 500);
  poll.unref();

  return {
    /** For the HTTP server's 'upgrade' event. */
    async handleUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer) {
      const url = new URL(req.url ?? '/', 'http://mirror');
      const match = path.exec(url.pathname);
      if (!match) return refuse(socket, 404, 'Not Found');
      const token = bearerOf(req.headers.authorization, url.searchParams.get('token'));
      const verdict = token ? await deps.verifier.verify(token) : undefined;
      if (!token || !verdict?.ok) return refuse(socket, 401, 'Unauthorized');
      const job = await findJob(deps.db, match[1]!).catch(() => undefined);
      if (!job || job.user_id !== verdict.claims.sub) return refuse(socket, 404, 'Not Found');
      wss.handleUpgrade(req, socket, head, (ws) => {
        const watch: Watch = { ws, token, jobId: job.id, last: '' };
        watches.add(watch);
        ws.on('close', () => watches.delete(watch));
        void push(watch);
      });
    },
    /** Sends a change this replica made at once, without waiting for the poll. */
    jobChanged(jobId: string) {
      for (const watch of watches) if (watch.jobId === jobId) void push(watch).catch(() => {});
    },
    async close() {
      clearInterval(poll);
      unsubscribe();
      for (const watch of watches) watch.ws.close(1001, 'shutting down');
      await new Promise<void>((resolve) => wss.close(() => resolve()));
    },
  };
}

export type JobEvents = ReturnType<typeof createJobEvents>;
