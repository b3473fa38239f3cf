// `npm run bench`: every benchmark in one run (the same functions `npm run
// bench:auth`, `bench:web`, `bench:verifier` and `bench:mirror` print), plus
// the services' memory and the images' sizes, ending with one table for the
// README's published footprint. Postgres and Redis are found as the tests
// find them (DATABASE_URL / REDIS_URL, else the local defaults).
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { availableParallelism, loadavg } from 'node:os';
import { postgresServer, redisServer } from '@gatehouse/testkit/servers';
import { benchAuth } from './lib/auth-bench.js';
import { measureFootprint, missingBuild, type Footprint, type StartMode } from './lib/footprint.js';
import { imageSizes } from './lib/image-sizes.js';
import { benchMirror } from './lib/mirror-bench.js';
import { benchVerifier } from './lib/verifier-bench.js';
import { benchWeb } from './lib/web-bench.js';

const seconds = Number(process.env.BENCH_SECONDS ?? 8);
const cost = Number(process.env.BCRYPT_COST ?? 12);
const cores = availableParallelism();
const [postgres, redis] = await Promise.all([postgresServer(), redisServer()]);
if (postgres.url === undefined) throw new Error(`npm run bench: ${postgres.why}`);
const adminUrl = postgres.url;
const redisUrl = redis.url;

// Targets. Keycloak plans 1,250 MB per pod and 15 password logins/s per vCPU
// at its default argon2id (7 MiB, 5 iterations, 1 lane), a setting OWASP's
// password storage cheat sheet lists among its minimums, as it lists bcrypt
// at cost 10. Each bcrypt cost step doubles the work, so the same CPU buys
// 15 × 2^(10 − cost) logins/s at our cost.
const rssTargetMb = 120;
const keycloakLoginsPerCpu = 15;
const loginTarget = keycloakLoginsPerCpu * 2 ** (10 - cost);
const keycloakRefreshesPerCpu = 120;

const model = /^model name\s*:\s*(.+)$/m.exec(readFileSync('/proc/cpuinfo', 'utf8'))?.[1] ?? 'unknown CPU';
const git = (...args: string[]) => execFileSync('git', args, { encoding: 'utf8' }).trim();
const commit = `${git('rev-parse', '--short', 'HEAD')}${git('status', '--porcelain') ? ' (with uncommitted changes)' : ''}`;
const loadAtStart = loadavg()[0]!;
const date = new Date().toISOString().slice(0, 16).replace('T', ' ');
console.log(`bench: ${date} UTC, ${cores} × ${model}, commit ${commit}, Node ${process.version}`);

const footprints = new Map<StartMode, Footprint[] | string>();
for (const mode of ['source', 'compiled'] as const) {
  const missing = await missingBuild(mode);
  footprints.set(mode, missing ?? (await measureFootprint({ adminUrl, redisUrl, requests: 10_000, mode })));
  console.log(`footprint (${mode}):`, footprints.get(mode));
}
const images = await imageSizes(['auth', 'web', 'mirror', 'nginx']);
const auth = await benchAuth({ adminUrl, seconds, cost, threads: cores });
const verifier = await benchVerifier({ adminUrl, redisUrl, seconds, concurrency: 32 });
const web = await benchWeb({ adminUrl, redisUrl, seconds, concurrency: 32 });
const mirror = await benchMirror({ rounds: Number(process.env.BENCH_ROUNDS ?? 3) });
const loadAtEnd = loadavg()[0]!;

const rows: string[] = [];
const row = (measure: string, result: string, target = '—', pass?: boolean) =>
  rows.push(`| ${measure} | ${result} | ${target} | ${pass === undefined ? '' : pass ? 'met' : 'NOT met'} |`);
const n = (x: number, digits = 0) =>
  x.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits });
const modeLabel = { source: 'from source (tsx), as `npm start` runs it', compiled: 'compiled, as the image runs it' };

for (const [mode, result] of footprints) {
  if (typeof result === 'string') {
    row(`idle RSS, ${modeLabel[mode]}`, `not measured (${result})`);
    continue;
  }
  for (const f of result) {
    const target = `≤ ${rssTargetMb} MB (Keycloak plans 1,250 MB a pod)`;
    row(
      `${f.service} idle RSS after start-up, ${modeLabel[mode]}`,
      `${n(f.startedMb)} MB`,
      target,
      f.startedMb <= rssTargetMb,
    );
    const bad = f.requests - (f.statuses[200] ?? 0);
    row(
      `${f.service} idle RSS after ${n(f.requests)} requests, ${modeLabel[mode]}`,
      `${n(f.afterMb)} MB${bad ? ` (${bad} requests not 200)` : ''}`,
      target,
      f.afterMb <= rssTargetMb && bad === 0,
    );
  }
}
for (const image of images) {
  row(`image size, \`${image.image}\``, 'bytes' in image ? `${n(image.bytes / 1e6)} MB` : image.why);
}
const loginsPerCore = auth.logins.perSecond / cores;
row(
  `password logins/s per core, bcrypt cost ${cost}`,
  `${n(loginsPerCore, 2)} (${n(auth.logins.perSecond, 2)}/s on ${cores} cores; bcrypt alone ${n(auth.ceiling, 2)}/s)`,
  `≥ ${n(loginTarget, 2)}: Keycloak's ${keycloakLoginsPerCpu}/vCPU × 2^(10 − ${cost})`,
  loginsPerCore >= loginTarget,
);
const refreshesPerCore = auth.refreshes.perSecond / cores;
row(
  'refresh grants/s',
  `${n(auth.refreshes.perSecond)} (${n(refreshesPerCore)} per core)`,
  `≥ ${keycloakRefreshesPerCpu} per core (Keycloak's plan)`,
  refreshesPerCore >= keycloakRefreshesPerCpu,
);
for (const [transport, perSecond] of Object.entries(verifier.verified)) {
  row(
    `token checks/s, \`verifier.verify\` in a Koa route (${transport} revocation feed)`,
    `${n(perSecond)} (jsonwebtoken alone ${n(verifier.baseline)})`,
  );
}
row('token checks/s, auth `GET /v1/me`', n(auth.me.perSecond));
row('logged-in `/account` req/s (Postgres sessions)', n(web.account.perSecond));
if (web.redisAccount) row('logged-in `/account` req/s (Redis sessions)', n(web.redisAccount.perSecond));
row(
  'mirror job / plain `git push` of the same tree',
  `${n(mirror.ratio, 2)} (${n(mirror.mirrorMs)} ms vs ${n(mirror.plainMs)} ms, ${mirror.files} files)`,
  '≤ 1.5',
  mirror.ratio <= 1.5,
);

console.log(
  `\n${date} UTC · ${cores} × ${model} · commit ${commit} · Node ${process.version} · load average ${n(loadAtStart, 1)} at the start, ${n(loadAtEnd, 1)} at the end\n`,
);
console.log(`| measure | result | target | |\n| --- | --- | --- | --- |\n${rows.join('\n')}`);
process.exit(0);
