import pg from 'pg';
import type { ListenHandlers, ListenOptions, Listening } from './types.js';

/**
 * A pooled connection can't LISTEN: notifications go to one backend and the
 * pool hands it to whoever asks next. So this holds a connection of its own,
 * and keeps it: lost, it is made again with backoff.
 */
export function listenOnConnection(
  connection: { url: string; connectTimeoutMs: number },
  channel: string,
  handlers: ListenHandlers,
  options: ListenOptions = {},
): Listening {
  const firstRetryMs = options.firstRetryMs ?? 100;
  const maxRetryMs = options.maxRetryMs ?? 5000;
  const heartbeatMs = options.heartbeatMs ?? 5000;
  let current: pg.Client | undefined;
  let closed = false;
  let listening = false;
  let failures = 0;
  let retry: NodeJS.Timeout | undefined;
  let heartbeat: NodeJS.Timeout | undefined;

  const lost = (client: pg.Client, err: Error) => {
    if (client !== current) return;
    current = undefined;
    clearInterval(heartbeat);
    client.end().catch(() => {});
    if (closed) return;
    if (listening || failures === 0) handlers.onLost(err);
    listening = false;
    const delay = Math.min(maxRetryMs, firstRetryMs * 2 ** failures);
    failures += 1;
    retry = setTimeout(() => void connect(), delay * (0.75 + Math.random() / 2));
    retry.unref();
  };

  // A half-open TCP connection reports nothing for hours; one that misses a heartbeat is dropped.
  const beat = (client: pg.Client) => {
    const late = setTimeout(() => lost(client, new Error('heartbeat unanswered')), heartbeatMs);
    late.unref();
    client.query('SELECT 1').then(
      () => clearTimeout(late),
      (err: unknown) => {
        clearTimeout(late);
        lost(client, err as Error);
      },
    );
  };

  const connect = async () => {
    if (closed) return;
    const client = new pg.Client({
      connectionString: connection.url,
      connectionTimeoutMillis: connection.connectTimeoutMs,
      keepAlive: true,
      ...(options.applicationName ? { application_name: options.applicationName } : {}),
    });
    current = client;
    client.on('error', (err) => lost(client, err));
    client.on('end', () => lost(client, new Error('connection ended')));
    client.on('notification', (message) => {
      if (client === current && message.channel === channel && message.payload) {
        handlers.onNotification(message.payload);
      }
    });
    try {
      await client.connect();
      await client.query(`LISTEN ${pg.escapeIdentifier(channel)}`);
    } catch (err) {
      lost(client, err as Error);
      return;
    }
    if (client !== current) return;
    failures = 0;
    listening = true;
    heartbeat = setInterval(() => beat(client), heartbeatMs);
    heartbeat.unref();
    handlers.onListening();
  };

  void connect();
  return {
    async close() {
      closed = true;
      clearTimeout(retry);
      clearInterval(heartbeat);
      const client = current;
      current = undefined;
      if (!client) return;
      // A polite goodbye waits for the server's answer, which a dead link never sends.
      const cutOff = setTimeout(() => client.connection.stream.destroy(), heartbeatMs);
      await client.end().catch(() => {});
      clearTimeout(cutOff);
    },
  };
}
