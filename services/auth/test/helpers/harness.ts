import type { ExecutionContext } from 'ava';
import { ManualClock, type Clock } from '@gatehouse/service-kit';
import {
  captureLogs,
  freshDatabase,
  freshRedis,
  listen,
  type CapturedLogs,
  type TestDatabase,
  type TestRedis,
  MailCatcher,
  tokenFromMail,
} from '@gatehouse/testkit';
import { authConfigSchema, createAuthRuntime, type AuthConfig, type AuthRuntime } from '../../src/index.js';

export const pepper = 'test-pepper-0123456789abcdef0123456789abcdef';
export const serviceSecret = 'test-service-secret-0123456789abcdef012345';

export interface Harness {
  url: string;
  runtime: AuthRuntime;
  mail: MailCatcher;
  database: TestDatabase;
  redis: TestRedis | undefined;
  logs: CapturedLogs;
  clock: Clock;
  config: AuthConfig;
  /** A second replica on the same database (and Redis), for cross-replica checks. */
  replica(): Promise<{ url: string; runtime: AuthRuntime }>;
}

export interface HarnessOptions {
  redis?: boolean;
  clock?: ManualClock;
  env?: Record<string, string>;
}

// Dozens of services booting at once (each with its hash threads) starve a
// small machine; boots take turns, a few at a time, per test process.
let bootSlots = 4;
const bootQueue: (() => void)[] = [];
async function takeTurn<T>(fn: () => Promise<T>): Promise<T> {
  if (bootSlots > 0) bootSlots -= 1;
  else await new Promise<void>((resolve) => bootQueue.push(resolve));
  try {
    return await fn();
  } finally {
    const next = bootQueue.shift();
    if (next) next();
    else bootSlots += 1;
  }
}

/** One auth service per test: its own database, Redis prefix, SMTP catcher and logs, all torn down after. */
export function startAuth(t: ExecutionContext, options: HarnessOptions = {}): Promise<Harness> {
  return takeTurn(() => boot(t, options));
}

async function boot(t: ExecutionContext, options: HarnessOptions): Promise<Harness> {
  const mail = await new MailCatcher().start();
  const database = await freshDatabase();
  const redis = options.redis ? await freshRedis() : undefined;
  const config = authConfigSchema.parse({
    PASSWORD_PEPPER: pepper,
    SERVICE_SECRET: serviceSecret,
    BCRYPT_COST: '4',
    HASH_WORKERS: '2',
    SMTP_URL: mail.url,
    // A loaded test machine greets late; with a ManualClock a failed send would wait for the test to move time.
    SMTP_TIMEOUT_MS: '30000',
    PUBLIC_URL: 'https://gatehouse.test',
    DATA_DIR: `/tmp/gatehouse-auth-test-${process.pid}`,
    ...(redis ? { REDIS_URL: redis.url } : {}),
    ...options.env,
  });
  const logs = captureLogs('auth');
  const clock = options.clock ?? undefined;
  const build = () =>
    createAuthRuntime(config, {
      db: database.db,
      logger: logs.logger,
      ...(clock ? { clock } : {}),
      ...(redis ? { redisPrefix: redis.prefix } : {}),
    });
  const runtime = await build();
  const server = await listen(runtime.app);
  const closers: (() => Promise<void>)[] = [server.close, runtime.close];
  t.teardown(async () => {
    for (const close of closers.reverse()) await close();
    await mail.close();
    await redis?.cleanup();
    await database.cleanup();
  });
  return {
    url: server.url,
    runtime,
    mail,
    database,
    redis,
    logs,
    clock: runtime.deps.clock,
    config,
    async replica() {
      const other = await build();
      const otherServer = await listen(other.app);
      closers.push(other.close, otherServer.close);
      return { url: otherServer.url, runtime: other };
    },
  };
}

export interface Reply {
  status: number;
  headers: Headers;
  body: Record<string, unknown>;
}

/** A JSON request; the body comes back parsed (problem+json included). */
export async function call(
  base: string,
  method: string,
  path: string,
  body?: unknown,
  headers: Record<string, string> = {},
): Promise<Reply> {
  const res = await fetch(base + path, {
    method,
    headers: { ...(body === undefined ? {} : { 'content-type': 'application/json' }), ...headers },
    ...(body === undefined ? {} : { body: typeof body === 'string' ? body : JSON.stringify(body) }),
  });
  const text = await res.text();
  return { status: res.status, headers: res.headers, body: text ? (JSON.parse(text) as Record<string, unknown>) : {} };
}

export const bearer = (token: string) => ({ authorization: `Bearer ${token}` });

export interface Account {
  username: string;
  email: string;
  password: string;
}

let counter = 0;
export function newAccount(overrides: Partial<Account> = {}): Account {
  counter += 1;
  const id = `${process.pid}${counter}`;
  return {
    username: `user${id}`,
    email: `user${id}@example.com`,
    password: 'a long passphrase for tests',
    ...overrides,
  };
}

/** Signs up, reads the mail, follows the link: a confirmed account. */
export async function confirmedAccount(h: Harness, overrides: Partial<Account> = {}): Promise<Account> {
  const account = newAccount(overrides);
  const signup = await call(h.url, 'POST', '/v1/signup', account);
  if (signup.status !== 202) throw new Error(`signup failed: ${JSON.stringify(signup.body)}`);
  const mail = await h.mail.waitFor(account.email, /Confirm your email/);
  const confirmed = await call(h.url, 'POST', '/v1/email/confirm', {
    token: tokenFromMail(mail),
    password: account.password,
  });
  if (confirmed.status !== 200) throw new Error(`confirm failed: ${JSON.stringify(confirmed.body)}`);
  return account;
}

export interface Tokens {
  access_token: string;
  refresh_token: string;
}

export async function login(
  h: { url: string },
  account: Pick<Account, 'username' | 'password'>,
  headers: Record<string, string> = {},
): Promise<Tokens> {
  const res = await call(
    h.url,
    'POST',
    '/v1/token',
    { grant_type: 'password', username: account.username, password: account.password },
    headers,
  );
  if (res.status !== 200) throw new Error(`login failed: ${res.status} ${JSON.stringify(res.body)}`);
  return res.body as unknown as Tokens;
}

export async function refresh(h: { url: string }, refreshToken: string): Promise<Reply> {
  return call(h.url, 'POST', '/v1/token', { grant_type: 'refresh_token', refresh_token: refreshToken });
}
