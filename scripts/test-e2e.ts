// `npm run test:e2e`: the e2e suite (e2e/) against a stack.
//   E2E_BASE_URL set  → run against that stack (compose's `tests` service does this).
//   otherwise         → start a private stack as `npm start` does, behind real
//                       nginx, on free ports with its own data directory, run the
//                       suite, stop the stack — also when the suite fails or is
//                       interrupted. Then, when the whole suite ran and passed and
//                       a Postgres server is at hand, the journeys once more
//                       against two replicas of each service (GATEHOUSE_REPLICAS=2).
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { mkdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import {
  consoleReporter,
  findNginx,
  freePorts,
  readStackConfig,
  repoRoot,
  services,
  servicePortVariable,
  standInTestVariable,
  startStack,
  type RunningStack,
} from '@gatehouse/stack';
import pg from 'pg';

const e2eDir = join(repoRoot, 'e2e');
const resultsDir = join(repoRoot, 'test-results', 'e2e');
const avaArgs = process.argv.slice(2);

let suiteProcess: ChildProcess | undefined;

function runSuite(env: Record<string, string | undefined>, args = avaArgs): Promise<number> {
  return new Promise((resolve) => {
    suiteProcess = spawn('npx', ['--no-install', 'ava', ...args], { cwd: e2eDir, env, stdio: 'inherit' });
    suiteProcess.once('exit', (code, signal) => resolve(code ?? (signal ? 1 : 0)));
  });
}

// On a signal: stop waiting for the stack, end the suite (a Ctrl-C reaches it
// directly too); a started stack is stopped in the finally below.
const interrupt = new AbortController();
const onSignal = () => {
  interrupt.abort();
  suiteProcess?.kill('SIGTERM');
};
process.on('SIGINT', onSignal);
process.on('SIGTERM', onSignal);

if (process.env.E2E_BASE_URL) {
  if (!process.env.E2E_MAIL_URL) {
    console.error("E2E_BASE_URL is set but E2E_MAIL_URL is not (maildev's URL, e.g. http://localhost:1080).");
    process.exit(1);
  }
  console.log(`e2e: against ${process.env.E2E_BASE_URL} (mail: ${process.env.E2E_MAIL_URL})`);
  process.exit(await runSuite(process.env));
}

// The journeys that run again against replicas: every step goes through nginx to either replica.
const replicaJourneys = ['browser-journey.test.ts', 'api-bearer-flow.test.ts', 'revoked-token.test.ts'];

const names = services.map((s) => s.name);
const nginx = findNginx({ nginxBin: process.env.NGINX_BIN, path: process.env.PATH });
let gatewayChoice = process.env.GATEHOUSE_GATEWAY;
if (!gatewayChoice || gatewayChoice === 'auto') {
  if (!nginx && process.env.CI === 'true') {
    console.error('e2e: nginx is not installed, and CI runs the suite behind real nginx only (apt-get install nginx).');
    process.exit(1);
  }
  if (!nginx)
    console.warn('e2e: WARNING nginx is not installed; running behind the Node gateway instead of real nginx.');
  gatewayChoice = nginx ? 'nginx' : 'node';
}
await mkdir(resultsDir, { recursive: true });

/** A private stack (never the ports or data of a running `npm start`), the suite against it, the stack stopped. */
async function privateRun(label: string, extra: Record<string, string>, args: string[]): Promise<number> {
  const [gatewayPort, mailWebPort, mailSmtpPort, ...servicePorts] = await freePorts(3 + names.length);
  const env: Record<string, string | undefined> = {
    ...process.env,
    GATEWAY_PORT: String(gatewayPort),
    MAIL_WEB_PORT: String(mailWebPort),
    MAIL_SMTP_PORT: String(mailSmtpPort),
    GATEHOUSE_DATA_DIR: join(repoRoot, '.data', label),
    GATEHOUSE_GATEWAY: gatewayChoice,
    PUBLIC_URL: undefined,
    GATEHOUSE_LOG_FORMAT: 'pretty',
    // Access tokens shorter than web's 30 s refresh margin: every signed-in page load
    // refreshes, so the whole suite runs rotation under its races (e2e/four-tabs.test.ts).
    ACCESS_TOKEN_TTL_SECONDS: process.env.ACCESS_TOKEN_TTL_SECONDS ?? '20',
    // The suite drives the stand-ins (GitHub's consent page, say): never a real host the shell points at.
    ...Object.fromEntries(services.flatMap((s) => s.standIn?.realHostVariables ?? []).map((name) => [name, undefined])),
    ...Object.fromEntries(names.map((name, i) => [servicePortVariable(name), String(servicePorts[i])])),
    ...extra,
  };
  const config = readStackConfig(services, env);
  await rm(config.dataDir, { recursive: true, force: true });
  const logPath = join(resultsDir, `${label === 'e2e' ? 'stack' : label}.log`);
  const log = createWriteStream(logPath);
  const report = consoleReporter({ format: 'pretty', color: false, write: (text) => log.write(text) });
  let stack: RunningStack | undefined;
  let code = 1;
  const started = performance.now();
  try {
    const what = config.replicas > 1 ? `${config.replicas} replicas of each service` : 'a stack';
    console.log(`e2e: starting ${what} behind ${config.gateway} (log: ${logPath})`);
    stack = await startStack(config, services, report, { signal: interrupt.signal });
    console.log(`e2e: stack ready in ${((performance.now() - started) / 1000).toFixed(1)} s at ${stack.urls.app}`);
    const standIns = Object.fromEntries(
      services
        .filter((s) => s.standIn)
        .map((s) => [standInTestVariable(s.name), `http://localhost:${config.servicePorts[s.name]}`]),
    );
    const suite = runSuite(
      {
        ...process.env,
        ...standIns,
        E2E_BASE_URL: `http://localhost:${gatewayPort}`,
        E2E_MAIL_URL: stack.urls.mailApi,
      },
      args,
    );
    const outcome = await Promise.race([suite, stack.failed]);
    if (typeof outcome === 'number') code = outcome;
    else {
      console.error(
        `e2e: ${outcome.name} died during the suite (${outcome.signal ?? `exit code ${outcome.code}`}); see ${logPath}`,
      );
      suiteProcess?.kill('SIGTERM');
      await suite;
    }
  } catch (err) {
    console.error(`e2e: the stack did not start: ${(err as Error).message}`);
  } finally {
    await stack?.stop();
    await new Promise<void>((resolve) => log.end(resolve));
  }
  if (code !== 0) console.error(`e2e: failed; the stack's output is in ${logPath}`);
  return code;
}

let code = await privateRun('e2e', {}, avaArgs);
if (code === 0 && avaArgs.length === 0 && !interrupt.signal.aborted && gatewayChoice === 'nginx') {
  const server = await postgresAtHand();
  if (server === undefined) {
    console.log('e2e: the replica journeys need a Postgres server; none is at hand, so they did not run');
  } else {
    const name = `gatehouse_e2e_replicas_${randomBytes(4).toString('hex')}`;
    const databaseUrl = Object.assign(new URL(server), { pathname: `/${name}` }).toString();
    code = await privateRun('e2e-replicas', { GATEHOUSE_REPLICAS: '2', DATABASE_URL: databaseUrl }, replicaJourneys);
    await dropDatabases(server, name);
  }
}
process.exit(code);

/**
 * The Postgres server the unit tests use (DATABASE_URL, else the local default), when it answers; never in
 * the embedded mode. (Not through the testkit: it loads ava, which refuses to run outside its CLI.)
 */
async function postgresAtHand(): Promise<string | undefined> {
  if (process.env.GATEHOUSE_TEST_SERVERS === 'embedded') return undefined;
  const url = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 3000 });
  try {
    await client.connect();
    return url;
  } catch {
    return undefined;
  } finally {
    await client.end().catch(() => undefined);
  }
}

async function dropDatabases(server: string, prefix: string): Promise<void> {
  const admin = new pg.Client({ connectionString: server });
  await admin.connect();
  try {
    const { rows } = await admin.query<{ datname: string }>('SELECT datname FROM pg_database WHERE datname LIKE $1', [
      `${prefix}_%`,
    ]);
    for (const { datname } of rows)
      await admin.query(`DROP DATABASE IF EXISTS ${pg.escapeIdentifier(datname)} WITH (FORCE)`);
  } finally {
    await admin.end();
  }
}
