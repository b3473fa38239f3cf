import { createServer, type RequestListener } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { ExecutionContext } from 'ava';
import { authConfigSchema, createAuthRuntime, type AuthRuntime } from '@gatehouse/auth';
import type { Clock } from '@gatehouse/service-kit';
import type { Database } from '@gatehouse/db';
import {
  captureLogs,
  freshDatabases,
  freshRedis,
  listen,
  type CapturedLogs,
  type TestDatabase,
  type TestRedis,
  MailCatcher,
  linkFromMail,
} from '@gatehouse/testkit';
import { createWebRuntime, webConfigSchema, type WebConfig, type WebRuntime } from '../../src/index.js';
import { Browser, textOf } from './browser.js';

export const sessionSecret = 'test-session-secret-0123456789abcdef0123';

export interface Stack {
  /** The web service's base URL (also its PUBLIC_URL, so mailed links point here). */
  url: string;
  authUrl: string;
  web: WebRuntime;
  auth: AuthRuntime;
  config: WebConfig;
  mail: MailCatcher;
  /** Where the web service's sessions live, for looking at raw records. */
  sessionBackend: { db: Database } | { redis: TestRedis };
  logs: { web: CapturedLogs; auth: CapturedLogs };
  /** A browser with its own cookie jar and, by default, its own client address. */
  browser(ip?: string): Browser;
}

export interface StackOptions {
  /** The web service's clock (sessions). */
  clock?: Clock;
  /** The auth service's clock (token and link lifetimes, throttling). */
  authClock?: Clock;
  /** Sessions in Redis instead of Postgres. */
  redis?: boolean;
  webEnv?: Record<string, string>;
  authEnv?: Record<string, string>;
  /** Auth's database and, unless sessions are in Redis, web's: for a caller that takes all of its own at once. */
  databases?: TestDatabase[];
}

const serviceSecret = 'test-service-secret-0123456789abcdef012345';
let ipCounter = 0;

/** A real auth service (Postgres, SMTP to a catcher) and the web service in front of it, torn down after the test. */
export async function startStack(t: ExecutionContext, options: StackOptions = {}): Promise<Stack> {
  const cleanups: (() => Promise<unknown> | unknown)[] = [];
  t.teardown(async () => {
    for (const cleanup of cleanups.reverse()) await cleanup();
  });

  // The web URL must exist before either service is configured: auth mails links to it.
  let handler: RequestListener = (_req, res) => res.end();
  const webServer = createServer((req, res) => handler(req, res));
  await new Promise<void>((resolve) => webServer.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(webServer.address() as AddressInfo).port}`;
  cleanups.push(
    () =>
      new Promise<void>((resolve) => {
        webServer.closeAllConnections();
        webServer.close(() => resolve());
      }),
  );

  const mail = await new MailCatcher().start();
  cleanups.push(() => mail.close());
  const redis = options.redis ? await freshRedis() : undefined;
  if (redis) cleanups.push(() => redis.cleanup());
  // Taken together: the test kit's connection budget never lets a test wait holding part of what it needs.
  const [authDb, webDb] = options.databases ?? (await freshDatabases(redis ? 1 : 2));
  cleanups.push(() => authDb!.cleanup());
  if (webDb) cleanups.push(() => webDb.cleanup());
  const authLogs = captureLogs('auth');
  const auth = await createAuthRuntime(
    authConfigSchema.parse({
      PASSWORD_PEPPER: 'test-pepper-0123456789abcdef0123456789abcdef',
      SERVICE_SECRET: serviceSecret,
      BCRYPT_COST: '4',
      HASH_WORKERS: '1',
      SMTP_URL: mail.url,
      SMTP_TIMEOUT_MS: '30000',
      PUBLIC_URL: url,
      DATA_DIR: `/tmp/gatehouse-web-test-auth-${process.pid}`,
      ...options.authEnv,
    }),
    { db: authDb!.db, logger: authLogs.logger, ...(options.authClock ? { clock: options.authClock } : {}) },
  );
  cleanups.push(() => auth.close());
  const authServer = await listen(auth.app);
  cleanups.push(() => authServer.close());

  const webLogs = captureLogs('web');
  const config = webConfigSchema.parse({
    SESSION_SECRET: sessionSecret,
    SERVICE_SECRET: serviceSecret,
    AUTH_URL: authServer.url,
    // auth runs without Redis here, so revocations come over its stream whatever holds the sessions.
    REVOCATION_FEED: 'stream',
    // auth's issuer, even in tests that give web another PUBLIC_URL.
    JWT_ISSUER: url,
    PUBLIC_URL: url,
    ASSETS_MODE: 'compile',
    ...(redis ? { REDIS_URL: redis.url } : {}),
    ...options.webEnv,
  });
  const web = await createWebRuntime(config, {
    logger: webLogs.logger,
    ...(webDb ? { db: webDb.db } : {}),
    ...(redis ? { redisPrefix: redis.prefix } : {}),
    ...(options.clock ? { clock: options.clock } : {}),
  });
  cleanups.push(() => web.close());
  handler = web.app.callback();
  webServer.on('upgrade', web.upgrade);

  return {
    url,
    authUrl: authServer.url,
    web,
    auth,
    config,
    mail,
    sessionBackend: redis ? { redis } : { db: webDb!.db },
    logs: { web: webLogs, auth: authLogs },
    browser: (ip) => new Browser(url, { ip: ip ?? `198.51.100.${(ipCounter = (ipCounter % 250) + 1)}` }),
  };
}

export interface Person {
  username: string;
  email: string;
  password: string;
}

let personCounter = 0;
export function newPerson(overrides: Partial<Person> = {}): Person {
  personCounter += 1;
  const id = `${process.pid}x${personCounter}`;
  return {
    username: `web${id}`,
    email: `web${id}@example.com`,
    password: 'correct horse battery staple',
    ...overrides,
  };
}

/** Signs up through the pages and opens the mailed link: a confirmed account. */
export async function confirmedPerson(stack: Stack, overrides: Partial<Person> = {}): Promise<Person> {
  const person = newPerson(overrides);
  const browser = stack.browser();
  await browser.get('/signup');
  const signup = await browser.post('/signup', {
    username: person.username,
    email: person.email,
    password: person.password,
  });
  if (signup.status !== 303) throw new Error(`signup failed: ${signup.status} ${textOf(signup.html).slice(0, 300)}`);
  const mail = await stack.mail.waitFor(person.email, /Confirm/);
  const confirmed = await browser.get(linkFromMail(mail, '/confirm-email').toString());
  if (confirmed.status !== 200) throw new Error(`confirm failed: ${confirmed.status}`);
  return person;
}

/** A browser logged in as `person`, sitting on its account page. */
export async function loggedIn(stack: Stack, person: Person, ip?: string): Promise<Browser> {
  const browser = stack.browser(ip);
  await browser.get('/login');
  const res = await browser.post('/login', { identifier: person.username, password: person.password });
  if (res.status !== 303) throw new Error(`login failed: ${res.status} ${textOf(res.html).slice(0, 300)}`);
  await browser.follow(res);
  return browser;
}
