// Runs every workspace's ava tests under c8 and ends with one plain summary
// line. It first finds the servers the tests use (the environment, then the
// default local addresses, then testcontainers, else embedded PGlite with the
// Redis tests skipped), prints that choice once, and hands it to every test
// process. Under CI=true a skipped or todo test fails the run, so a green CI
// means every test ran; the embedded mode (GATEHOUSE_TEST_SERVERS=embedded)
// skips server-only tests on purpose and only counts them.
import { spawn } from 'node:child_process';
import { describeSource, embeddedOnly, postgresServer, redisServer } from '@gatehouse/testkit/servers';

const [postgres, redis] = await Promise.all([postgresServer(), redisServer()]);
console.log(`tests: ${describeSource('Postgres', postgres)}, ${describeSource('Redis', redis)}`);
const env = { ...process.env };
for (const [key, source] of [
  ['DATABASE_URL', postgres],
  ['REDIS_URL', redis],
] as const) {
  if (source.url) env[key] = source.url;
  else delete env[key];
}

const child = spawn('npx', ['--no-install', 'c8', 'ava', ...process.argv.slice(2)], {
  stdio: ['ignore', 'pipe', 'inherit'],
  env,
});
let output = '';
child.stdout.on('data', (chunk: Buffer) => {
  process.stdout.write(chunk);
  output += chunk.toString();
});
const code = await new Promise<number | null>((resolve) => child.on('close', resolve));

const count = (re: RegExp) => Number(re.exec(output)?.[1] ?? 0);
const passed = count(/(\d+) tests? passed/) || (output.match(/^\s+✔ /gm) ?? []).length;
const failed =
  count(/(\d+) tests? failed/) + count(/(\d+) uncaught exceptions?/) + count(/(\d+) unhandled rejections?/);
const skipped = count(/(\d+) tests? skipped/) + count(/(\d+) tests? todo/);
console.log(`\ntests: ${passed} passed, ${failed} failed, ${skipped} skipped`);
if (code !== 0) process.exit(code ?? 1);
if (embeddedOnly()) {
  console.log(`embedded mode: ${skipped} test(s) skipped for want of a server (reasons above, as SKIP lines)`);
} else if (process.env.CI === 'true' && skipped > 0) {
  console.error(`CI: ${skipped} test(s) skipped or todo; every test must run in CI.`);
  process.exit(1);
}
if (passed === 0) {
  console.error('No test ran.');
  process.exit(1);
}
