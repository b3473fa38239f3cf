import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocket, WebSocketServer, type RawData } from 'ws';
import type { Clock, Logger } from '@gatehouse/service-kit';
import { sessionEnded, type SessionData } from './session/session.js';
import type { SessionStore } from './session/store.js';

export const mirrorEventsPath = '/mirror/events';

/** Close codes the browser script acts on: 4401 = log in again (reload), 4404 = no such mirror. */
const closeCodes = { unauthorized: 4401, notFound: 4404, unavailable: 1011 } as const;

export interface MirrorEventsOptions {
  /** PUBLIC_URL's origin: the only page origin allowed to open the socket. */
  publicOrigin: string;
  cookieName: string;
  store: SessionStore;
  idleMs: number;
  absoluteMs: number;
  /** The mirror service's base URL (http:), whose events socket is bridged. */
  mirrorUrl: string;
  clock: Clock;
  logger: Logger;
}

export type UpgradeHandler = (req: IncomingMessage, socket: Duplex, head: Buffer) => void;

function refuse(socket: Duplex, status: number, reason: string): void {
  socket.end(`HTTP/1.1 ${status} ${reason}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
}

function cookie(req: IncomingMessage, name: string): string | undefined {
  for (const part of (req.headers.cookie ?? '').split(';')) {
    const eq = part.indexOf('=');
    if (eq > 0 && part.slice(0, eq).trim() === name) return part.slice(eq + 1).trim();
  }
  return undefined;
}

/** Relays a close code the browser may see; anything else becomes a plain "went away". */
const relayable = (code: number) => code === 1000 || (code >= 4000 && code < 5000);

/**
 * `GET /mirror/events?id=…` upgraded to a WebSocket: the browser's socket,
 * authenticated by its session cookie, bridged to the mirror's
 * `/v1/mirrors/{id}/events`, authenticated by the session's access token.
 * The token never reaches the browser; only the mirror's job messages do.
 * A stale access token is not refreshed here: the socket closes with 4401 and
 * the page reloads, which refreshes it the usual way.
 */
export function mirrorEvents(options: MirrorEventsOptions): { upgrade: UpgradeHandler; close(): void } {
  const { logger } = options;
  const sockets = new WebSocketServer({ noServer: true, maxPayload: 4096 });
  const upstreamBase = options.mirrorUrl.replace(/^http/, 'ws').replace(/\/+$/, '');

  async function session(req: IncomingMessage): Promise<SessionData | undefined> {
    const id = cookie(req, options.cookieName);
    const data = id ? ((await options.store.get(id)) as SessionData | undefined) : undefined;
    if (!data?.user || sessionEnded(data, options.clock.now().getTime(), options)) return undefined;
    return data;
  }

  function bridge(browser: WebSocket, jobId: string, accessToken: string, requestId: string): void {
    const upstream = new WebSocket(`${upstreamBase}/v1/mirrors/${encodeURIComponent(jobId)}/events`, {
      headers: { authorization: `Bearer ${accessToken}`, 'x-request-id': requestId },
      handshakeTimeout: 5000,
    });
    upstream.on('message', (data: RawData, isBinary: boolean) => {
      if (!isBinary && browser.readyState === WebSocket.OPEN) browser.send(data.toString());
    });
    upstream.on('unexpected-response', (_req, res) => {
      const code =
        res.statusCode === 401
          ? closeCodes.unauthorized
          : res.statusCode === 404
            ? closeCodes.notFound
            : closeCodes.unavailable;
      browser.close(code, 'mirror refused the socket');
      upstream.terminate();
    });
    upstream.on('close', (code) => {
      if (browser.readyState === WebSocket.OPEN) browser.close(relayable(code) ? code : 1011);
    });
    upstream.on('error', (err) => {
      logger.warn({ req_id: requestId, err: err.message }, 'mirror events socket failed');
      if (browser.readyState === WebSocket.OPEN) browser.close(closeCodes.unavailable);
    });
    browser.on('close', () => {
      if (upstream.readyState === WebSocket.OPEN || upstream.readyState === WebSocket.CONNECTING) upstream.terminate();
    });
    // The browser has nothing to say; anything it sends is dropped.
    browser.on('message', () => undefined);
  }

  const upgrade: UpgradeHandler = (req, socket, head) => {
    const url = new URL(req.url ?? '/', options.publicOrigin);
    if (url.pathname !== mirrorEventsPath) return refuse(socket, 404, 'Not Found');
    // Cookies ride along on cross-site sockets too, so the page's origin is what keeps other sites out.
    if (req.headers.origin !== options.publicOrigin) return refuse(socket, 403, 'Forbidden');
    const jobId = url.searchParams.get('id') ?? '';
    if (!/^[A-Za-z0-9_-]{1,64}$/.test(jobId)) return refuse(socket, 400, 'Bad Request');
    const requestId = typeof req.headers['x-request-id'] === 'string' ? req.headers['x-request-id'] : '';
    session(req).then(
      (data) => {
        if (!data?.user) return refuse(socket, 401, 'Unauthorized');
        const { tokens } = data.user;
        sockets.handleUpgrade(req, socket, head, (browser) => {
          if (tokens.accessExpiresAt <= options.clock.now().getTime())
            return browser.close(closeCodes.unauthorized, 'log in again');
          bridge(browser, jobId, tokens.accessToken, requestId);
        });
      },
      (err: unknown) => {
        logger.warn({ req_id: requestId, err: (err as Error).message }, 'mirror events: session lookup failed');
        refuse(socket, 503, 'Service Unavailable');
      },
    );
  };

  return {
    upgrade,
    close() {
      for (const client of sockets.clients) client.close(1001);
      sockets.close();
    },
  };
}
