import { createServer, connect, type Server, type Socket } from 'node:net';
import type { AddressInfo } from 'node:net';
import { createPgDatabase } from '@gatehouse/db';
import {
  captureLogs,
  freshDatabase,
  listen,
  MailCatcher,
  postgresServer,
  testNeeding,
  tokenFromMail,
} from '@gatehouse/testkit';
import { authConfigSchema, createAuthRuntime } from '../src/index.js';
import { bearer, call, login, newAccount, pepper, serviceSecret } from './helpers/harness.js';

/** A TCP hop between auth and Postgres that a test can cut and restore, as a database restart would. */
class Cable {
  #sockets = new Set<Socket>();
  #server: Server | undefined;
  port = 0;
  constructor(private readonly target: { host: string; port: number }) {}
  async plug(): Promise<void> {
    this.#server = createServer((client) => {
      const upstream = connect(this.target.port, this.target.host);
      for (const s of [client, upstream]) {
        this.#sockets.add(s);
        s.on('close', () => this.#sockets.delete(s));
        s.on('error', () => s.destroy());
      }
      client.pipe(upstream).pipe(client);
    });
    await new Promise<void>((resolve) => this.#server!.listen(this.port, '127.0.0.1', resolve));
    this.port = (this.#server.address() as AddressInfo).port;
  }
  async cut(): Promise<void> {
    for (const s of this.#sockets) s.destroy();
    await new Promise<void>((resolve) => this.#server!.close(() => resolve()));
  }
}

const postgres = await postgresServer();
const test = testNeeding(postgres.url === undefined ? postgres.why : undefined);

test('database gone mid-run → requests answer 503 fast, the process stays up, and it recovers when the database returns', async (t) => {
  const database = await freshDatabase('postgres');
  t.teardown(() => database.cleanup());
  const target = new URL(database.url!);
  const cable = new Cable({ host: target.hostname, port: Number(target.port || 5432) });
  await cable.plug();
  const viaCable = Object.assign(new URL(database.url!), { port: String(cable.port) }).toString();
  const db = createPgDatabase({ url: viaCable, connectTimeoutMs: 500 });
  const mail = await new MailCatcher().start();
  const logs = captureLogs('auth');
  const config = authConfigSchema.parse({
    PASSWORD_PEPPER: pepper,
    SERVICE_SECRET: serviceSecret,
    BCRYPT_COST: '4',
    HASH_WORKERS: '1',
    SMTP_URL: mail.url,
  });
  const runtime = await createAuthRuntime(config, { db, logger: logs.logger });
  const app = await listen(runtime.app);
  t.teardown(async () => {
    await app.close();
    await runtime.close();
    await db.close();
    await mail.close();
    await cable.cut();
  });

  const account = newAccount();
  await call(app.url, 'POST', '/v1/signup', account);
  await call(app.url, 'POST', '/v1/email/confirm', {
    token: tokenFromMail(await mail.waitFor(account.email, /Confirm/)),
    password: account.password,
  });
  const tokens = await login({ url: app.url }, account);

  await cable.cut();
  const started = Date.now();
  const me = await call(app.url, 'GET', '/v1/me', undefined, bearer(tokens.access_token));
  t.is(me.status, 503);
  t.is(me.body.code, 'service_unavailable');
  t.is(me.headers.get('retry-after'), '1');
  t.true(Date.now() - started < 3000, 'a dead database is a quick 503, not a hung request');
  const other = newAccount();
  t.is((await call(app.url, 'POST', '/v1/signup', other)).status, 503);
  t.is((await call(app.url, 'GET', '/healthz')).status, 200, 'the process is still up');
  t.is((await call(app.url, 'GET', '/readyz')).status, 503);

  await cable.plug();
  t.is((await call(app.url, 'GET', '/v1/me', undefined, bearer(tokens.access_token))).status, 200);
  t.is((await call(app.url, 'GET', '/readyz')).status, 200);
  // The signup that failed left nothing half-made: the same one now succeeds.
  t.is((await call(app.url, 'POST', '/v1/signup', other)).status, 202);
  const { rows } = await database.db.query<{ n: number }>(
    'SELECT count(*)::int AS n FROM users WHERE lower(username) = lower($1)',
    [other.username],
  );
  t.is(rows[0]!.n, 1);
});
