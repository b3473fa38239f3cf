// `npm run rolling-restart`: restarts every replica of a replicated local run
// in turn (SIGTERM, wait for it to drain and exit, start, wait until ready)
// under a steady load of logins, page views and token checks through nginx,
// and counts what the load saw. The stack is the one `GATEHOUSE_REPLICAS=2 npm
// start` runs (startStack, same code), on free ports and fresh databases.
//   DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres npm run rolling-restart
//   (GATEHOUSE_REPLICAS, default 2; ROLLING_CONCURRENCY, default 8 connections; the
//   databases gatehouse_rolling_<random>_<service> are dropped at the end)
import { randomBytes } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { mkdir, rm } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import pg from 'pg';
import {
  consoleReporter,
  freePorts,
  readStackConfig,
  repoRoot,
  services,
  servicePortVariable,
  startStack,
} from '@gatehouse/stack';

const server = process.env.DATABASE_URL;
if (!server) {
  console.error('set DATABASE_URL to a Postgres server the run may create databases on');
  process.exit(1);
}
const concurrency = Number(process.env.ROLLING_CONCURRENCY ?? 8);
const name = `gatehouse_rolling_${randomBytes(4).toString('hex')}`;
const databaseUrl = Object.assign(new URL(server), { pathname: `/${name}` }).toString();
const [gateway, mailWeb, mailSmtp, ...ports] = await freePorts(3 + services.length);
const config = readStackConfig(services, {
  ...process.env,
  GATEHOUSE_REPLICAS: process.env.GATEHOUSE_REPLICAS ?? '2',
  DATABASE_URL: databaseUrl,
  GATEWAY_PORT: String(gateway),
  MAIL_WEB_PORT: String(mailWeb),
  MAIL_SMTP_PORT: String(mailSmtp),
  GATEHOUSE_DATA_DIR: join(repoRoot, '.data', 'rolling-restart'),
  PUBLIC_URL: undefined,
  ...Object.fromEntries(services.map((s, i) => [servicePortVariable(s.name), String(ports[i])])),
});
const logPath = join(repoRoot, 'test-results', 'rolling-restart.log');
await mkdir(dirname(logPath), { recursive: true });
const log = createWriteStream(logPath);
const quiet = consoleReporter({ format: 'pretty', color: false, write: (text) => log.write(text) });
const say = (line: string) => console.log(`rolling-restart: ${line}`);

say(`the stack's output goes to ${logPath}`);
say(`starting the stack with ${config.replicas} replicas of auth, web and mirror (databases ${name}_*)`);
const stack = await startStack(config, services, quiet);
const base = `http://127.0.0.1:${config.gatewayPort}`;
try {
  const token = await signedUpUser();
  const counts = new Map<string, number>();
  const failures: string[] = [];
  const record = (kind: string, outcome: string) => {
    counts.set(kind, (counts.get(kind) ?? 0) + 1);
    if (outcome !== 'ok') failures.push(`${new Date().toISOString()} ${kind}: ${outcome}`);
  };
  const hit = async (kind: string, path: string, init: RequestInit = {}) => {
    try {
      const response = await fetch(`${base}${path}`, init);
      await response.arrayBuffer();
      record(kind, response.status === 200 ? 'ok' : `HTTP ${response.status}`);
    } catch (err) {
      record(kind, `${(err as Error).message} (${((err as Error).cause as Error | undefined)?.message ?? ''})`);
    }
  };
  const bearer = { headers: { authorization: `Bearer ${token.access}` } };
  const requests: [string, string, RequestInit?][] = [
    ['page view', '/login'],
    ['page view', '/signup'],
    ['token check (auth)', '/api/auth/v1/me', bearer],
    ['token check (mirror)', '/api/mirror/v1/mirrors', bearer],
  ];
  let running = true;
  const workers = Array.from({ length: concurrency }, async (_, w) => {
    for (let i = w; running; i += 1) {
      const [kind, path, init] = requests[i % requests.length]!;
      await hit(kind, path, init);
    }
  });
  // Logins stay under nginx's login budget (30 a minute per client address).
  const logins = (async () => {
    while (running) {
      await hit('login', '/api/auth/v1/token', token.loginRequest);
      await new Promise((r) => setTimeout(r, 2500));
    }
  })();

  const started = performance.now();
  await new Promise((r) => setTimeout(r, 3000));
  const restarts: string[] = [];
  for (const replica of stack.replicas.filter((r) => r.name !== r.service)) {
    const at = performance.now();
    await stack.restartReplica(replica.name);
    restarts.push(`${replica.name} ${((performance.now() - at) / 1000).toFixed(1)} s`);
    say(`restarted ${replica.name}`);
  }
  await new Promise((r) => setTimeout(r, 3000));
  running = false;
  await Promise.all([...workers, logins]);
  const seconds = (performance.now() - started) / 1000;
  const total = [...counts.values()].reduce((a, b) => a + b, 0);
  say(`restarts: ${restarts.join(', ')}`);
  say(`load: ${concurrency} connections + a login every 2.5 s; ${[...counts].map(([k, v]) => `${k} ${v}`).join(', ')}`);
  say(`${total} requests in ${seconds.toFixed(1)} s, ${failures.length} errors`);
  for (const failure of failures) say(`  ${failure}`);
  process.exitCode = failures.length ? 1 : 0;
} finally {
  await stack.stop();
  await rm(config.dataDir, { recursive: true, force: true });
  const admin = new pg.Client({ connectionString: server });
  await admin.connect();
  for (const s of services.filter((e) => e.database)) {
    await admin.query(
      `DROP DATABASE IF EXISTS ${pg.escapeIdentifier(`${name}_${s.name.replace(/-/g, '_')}`)} WITH (FORCE)`,
    );
  }
  await admin.end();
}

/** A confirmed account (sign-up, the mailed token, confirm) and an access token for it. */
async function signedUpUser() {
  const id = `rolling${randomBytes(4).toString('hex')}`;
  const user = { username: id, email: `${id}@example.test`, password: `pass phrase ${randomBytes(6).toString('hex')}` };
  const json = (body: unknown) => ({
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  const signup = await fetch(`${base}/api/auth/v1/signup`, json(user));
  if (signup.status !== 202) throw new Error(`signup answered ${signup.status}: ${await signup.text()}`);
  let confirmToken: string | undefined;
  for (let i = 0; i < 100 && !confirmToken; i += 1) {
    const mails = (await (await fetch(`${stack.urls.mailApi}/api/email`)).json()) as {
      to: { address: string }[];
      text: string;
    }[];
    const text = mails.find((m) => m.to.some((t) => t.address === user.email))?.text ?? '';
    confirmToken = /confirm-email\?token=([^\s&"<>]+)/.exec(text)?.[1];
    if (!confirmToken) await new Promise((r) => setTimeout(r, 200));
  }
  if (!confirmToken) throw new Error('no confirmation mail arrived');
  const confirm = await fetch(
    `${base}/api/auth/v1/email/confirm`,
    json({ token: decodeURIComponent(confirmToken), password: user.password }),
  );
  if (confirm.status !== 200) throw new Error(`confirm answered ${confirm.status}: ${await confirm.text()}`);
  const loginRequest = () => ({
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ grant_type: 'password', username: user.username, password: user.password }).toString(),
  });
  const tokens = (await (await fetch(`${base}/api/auth/v1/token`, loginRequest())).json()) as { access_token: string };
  return { access: tokens.access_token, loginRequest: loginRequest() };
}
