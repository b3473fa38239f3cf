// `npm run test:e2e`: the e2e suite (e2e/) against a stack.
//   E2E_BASE_URL set  → run against that stack (compose's `tests` service does this).
//   otherwise         → start a private stack as `npm start` does, behind real
//                       nginx, on free ports with its own data directory, run the
//                       suite, stop the stack — also when the suite fails or is
//                       interrupted.
import { spawn, type ChildProcess } from 'node:child_process';
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

const e2eDir = join(repoRoot, 'e2e');
const resultsDir = join(repoRoot, 'test-results', 'e2e');
const avaArgs = process.argv.slice(2);

let suiteProcess: ChildProcess | undefined;

function runSuite(env: Record<string, string | undefined>): Promise<number> {
  return new Promise((resolve) => {
    suiteProcess = spawn('npx', ['--no-install', 'ava', ...avaArgs], { cwd: e2eDir, env, stdio: 'inherit' });
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

// A private stack: never the ports or data of a running `npm start`.
const names = services.map((s) => s.name);
const [gatewayPort, mailWebPort, mailSmtpPort, ...servicePorts] = await freePorts(3 + names.length);
const env: Record<string, string | undefined> = {
  ...process.env,
  GATEWAY_PORT: String(gatewayPort),
  MAIL_WEB_PORT: String(mailWebPort),
  MAIL_SMTP_PORT: String(mailSmtpPort),
  GATEHOUSE_DATA_DIR: join(repoRoot, '.data', 'e2e'),
  PUBLIC_URL: undefined,
  GATEHOUSE_LOG_FORMAT: 'pretty',
  // Access tokens shorter than web's 30 s refresh margin: every signed-in page load
  // refreshes, so the whole suite runs rotation under its races (e2e/four-tabs.test.ts).
  ACCESS_TOKEN_TTL_SECONDS: process.env.ACCESS_TOKEN_TTL_SECONDS ?? '20',
  // The suite drives the stand-ins (GitHub's consent page, say): never a real host the shell points at.
  ...Object.fromEntries(services.flatMap((s) => s.standIn?.realHostVariables ?? []).map((name) => [name, undefined])),
  ...Object.fromEntries(names.map((name, i) => [servicePortVariable(name), String(servicePorts[i])])),
};
const nginx = findNginx({ nginxBin: env.NGINX_BIN, path: env.PATH });
if (!env.GATEHOUSE_GATEWAY || env.GATEHOUSE_GATEWAY === 'auto') {
  if (!nginx && env.CI === 'true') {
    console.error('e2e: nginx is not installed, and CI runs the suite behind real nginx only (apt-get install nginx).');
    process.exit(1);
  }
  if (!nginx)
    console.warn('e2e: WARNING nginx is not installed; running behind the Node gateway instead of real nginx.');
  env.GATEHOUSE_GATEWAY = nginx ? 'nginx' : 'node';
}
const config = readStackConfig(services, env);
await rm(config.dataDir, { recursive: true, force: true });
await mkdir(resultsDir, { recursive: true });
const logPath = join(resultsDir, 'stack.log');
const log = createWriteStream(logPath);
const report = consoleReporter({ format: 'pretty', color: false, write: (text) => log.write(text) });

let stack: RunningStack | undefined;

let code = 1;
const started = performance.now();
try {
  console.log(`e2e: starting a stack behind ${config.gateway} (log: ${logPath})`);
  stack = await startStack(config, services, report, { signal: interrupt.signal });
  console.log(`e2e: stack ready in ${((performance.now() - started) / 1000).toFixed(1)} s at ${stack.urls.app}`);
  const standIns = Object.fromEntries(
    services
      .filter((s) => s.standIn)
      .map((s) => [standInTestVariable(s.name), `http://localhost:${config.servicePorts[s.name]}`]),
  );
  const suite = runSuite({
    ...process.env,
    ...standIns,
    E2E_BASE_URL: `http://localhost:${gatewayPort}`,
    E2E_MAIL_URL: stack.urls.mailApi,
  });
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
process.exit(code);
