// The compose files, checked without a Docker engine.
import { spawnSync } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import test from 'ava';
import { testNeeding } from '@gatehouse/testkit';
import { generateCompose, repoRoot, services } from '../src/index.js';
import {
  checkComposeSchema,
  checkReferences,
  checkRequiredEnvironment,
  readComposeFile,
  type ComposeFile,
} from './fixtures/check-compose.js';

const replicasFile = 'docker-compose.replicas.yml';
const compose = readComposeFile(join(repoRoot, 'docker-compose.yml'));
const references = { projectDir: repoRoot, testProfile: { profile: 'test', service: 'tests' } };

test('docker-compose.yml and its override files are valid against the compose-spec schema', async (t) => {
  for (const file of [
    'docker-compose.yml',
    'docker-compose.offline.yml',
    'docker-compose.tls.yml',
    'docker-compose.real-ip.yml',
    replicasFile,
  ]) {
    t.deepEqual(await checkComposeSchema(readComposeFile(join(repoRoot, file))), [], file);
  }
});

test('the schema check catches a malformed file', async (t) => {
  const broken = structuredClone(compose) as unknown as { services: Record<string, Record<string, unknown>> };
  broken.services.auth!.depends_on = 5;
  broken.services.web!.healtcheck = {};
  const problems = await checkComposeSchema(broken as ComposeFile);
  t.true(
    problems.some((p) => p.startsWith('/services/auth/depends_on')),
    problems.join('\n'),
  );
  t.true(
    problems.some((p) => p.startsWith('/services/web') && /additional properties/.test(p)),
    problems.join('\n'),
  );
});

test('every depends_on, secret, volume, build target and profile resolves; the test profile is complete', (t) => {
  t.deepEqual(checkReferences(compose, references), []);
});

test('the reference check names what does not resolve', (t) => {
  const broken = structuredClone(generateCompose(services)) as ComposeFile & {
    services: Record<string, Record<string, unknown>>;
  };
  (broken.services.web!.depends_on as Record<string, unknown>).nowhere = { condition: 'service_healthy' };
  (broken.services.auth!.secrets as string[]).push('github_token');
  (broken.services.auth!.volumes as string[]).push('auth_cache:/cache');
  delete broken.services.redis!.healthcheck;
  broken.services.mail!.profiles = ['dev'];
  broken.services.nginx!.build = { context: '.', target: 'no-such-stage' };
  broken.secrets = { ...broken.secrets, orphan: { file: './x' } };
  const problems = checkReferences(broken, references).join('\n');
  for (const expected of [
    /web depends on "nowhere", which is not a service/,
    /auth uses secret "github_token", which is not declared/,
    /auth uses volume "auth_cache", which is not declared/,
    /auth waits for "redis" to be healthy, but "redis" has no healthcheck/,
    /redis has no healthcheck/,
    /tests depends on "mail", which is not active in profile "test"/,
    /the test run needs "mail", which is not active in that profile/,
    /nginx builds target "no-such-stage"/,
    /secret "orphan" is declared but unused/,
  ]) {
    t.regex(problems, expected);
  }
});

test('every variable a service requires is set in compose, as KEY or KEY_FILE', async (t) => {
  t.deepEqual(await checkRequiredEnvironment(compose, services), []);
  const broken = structuredClone(compose);
  delete (broken.services!.auth!.environment as Record<string, string>).PASSWORD_PEPPER_FILE;
  delete broken.services!.web;
  t.deepEqual(await checkRequiredEnvironment(broken, services), [
    'auth requires PASSWORD_PEPPER, but compose sets neither PASSWORD_PEPPER nor PASSWORD_PEPPER_FILE',
    'service "web" of the service list is missing from the compose file',
  ]);
});

test('compose runs production images as the README says: secrets as files, named volumes, the e2e suite through nginx', (t) => {
  const { services: s } = compose;
  t.is(s!.tests!.network_mode, 'service:nginx');
  t.like(s!.tests!.environment, { E2E_BASE_URL: 'http://localhost:8080', E2E_MAIL_URL: 'http://mail:1080' });
  for (const entry of services) {
    const env = s![entry.name]!.environment as Record<string, string>;
    for (const secret of entry.secrets ?? []) t.false(secret in env, `${entry.name}: ${secret} only as a file`);
    if (entry.database) t.regex(String(env.DATABASE_URL_FILE), /^\/run\/secrets\//);
  }
});

const dockerCompose = spawnSync('docker-compose', ['version'], { encoding: 'utf8' });
const missing = dockerCompose.status === 0 ? undefined : 'docker-compose (1.29.2, Debian) is not installed';

testNeeding(missing)('docker-compose 1.29.2 accepts the files, in every profile and with each override', (t) => {
  for (const args of [
    ['-f', 'docker-compose.yml', 'config', '-q'],
    ['-f', 'docker-compose.yml', '--profile', 'dev', 'config', '-q'],
    ['-f', 'docker-compose.yml', '--profile', 'test', 'config', '-q'],
    ['-f', 'docker-compose.yml', '-f', 'docker-compose.offline.yml', 'config', '-q'],
    ['-f', 'docker-compose.yml', '-f', 'docker-compose.tls.yml', 'config', '-q'],
    [
      '-f',
      'docker-compose.yml',
      '-f',
      'docker-compose.offline.yml',
      '-f',
      replicasFile,
      '--profile',
      'test',
      'config',
      '-q',
    ],
    ['-f', 'docker-compose.yml', '-f', 'docker-compose.real-ip.yml', 'config', '-q'],
  ]) {
    const result = spawnSync('docker-compose', args, {
      cwd: repoRoot,
      encoding: 'utf8',
      env: { ...process.env, DOCKER_HOST: 'unix:///nonexistent', REAL_IP_FROM: '10.0.0.0/16' },
    });
    t.is(result.status, 0, `docker-compose ${args.join(' ')}: ${result.stderr}`);
  }
  const listed = spawnSync('docker-compose', ['--profile', 'test', 'config', '--services'], {
    cwd: repoRoot,
    encoding: 'utf8',
  });
  t.deepEqual(
    listed.stdout.trim().split('\n').sort(),
    [...services.map((s) => s.name), 'mail', 'nginx', 'postgres', 'redis', 'tests'].sort(),
  );
});

test('a deployment points mirror and web at real GitHub from the shell; the stand-in keeps its own app', (t) => {
  const s = generateCompose(services).services;
  t.like(s.mirror!.environment, {
    GITHUB_OAUTH_URL: '${GITHUB_OAUTH_URL:-http://github.localhost:3003}',
    GITHUB_API_URL: '${GITHUB_API_URL:-http://github.localhost:3003/api/v3}',
    GITHUB_CLIENT_ID: '${GITHUB_CLIENT_ID:-Ov23liGatehouseLocal}',
  });
  t.like(s.web!.environment, { GITHUB_OAUTH_URL: '${GITHUB_OAUTH_URL:-http://github.localhost:3003}' });
  t.like(s['github-sandbox']!.environment, { GITHUB_CLIENT_ID: 'Ov23liGatehouseLocal' });
});

test('the stand-in is reached through nginx: its host name and port on nginx, its door mounted; it runs in dev and test only', (t) => {
  const s = generateCompose(services).services;
  const sandbox = s['github-sandbox']!;
  t.deepEqual(sandbox.profiles, ['dev', 'test']);
  t.is(sandbox.ports, undefined, 'nothing published: nginx owns the port');
  t.is(sandbox.networks, undefined, 'no alias: nginx carries the name');
  t.like(sandbox.environment, { PUBLIC_URL: 'http://github.localhost:3003' });
  const nginx = s.nginx!;
  t.is(nginx.profiles, undefined, 'nginx runs in every profile');
  t.deepEqual(nginx.networks, { default: { aliases: ['github.localhost'] } });
  t.true((nginx.ports as string[]).includes('127.0.0.1:3003:3003'));
  t.deepEqual(nginx.volumes, [
    './nginx/stand-ins/github-sandbox.conf.template:/etc/nginx/templates/github-sandbox.conf.template:ro',
  ]);
  t.like(nginx.environment, {
    GATEHOUSE_GITHUB_SANDBOX_LISTEN: '3003',
    GITHUB_SANDBOX_UPSTREAM: 'github-sandbox:3003',
    NGINX_ENTRYPOINT_LOCAL_RESOLVERS: '1',
    NGINX_ENVSUBST_FILTER: 'GATEHOUSE_|_UPSTREAM|NGINX_LOCAL_RESOLVERS',
  });
  t.false('github-sandbox' in (nginx.depends_on as Record<string, unknown>), 'the production profile has no stand-in');
  t.like(s.tests!.environment, {
    E2E_GITHUB_SANDBOX_URL: 'http://github.localhost:3003',
    E2E_BROWSER_HOST_RULES: 'MAP github.localhost nginx',
  });
});

test("every variable the compose files read is in the README's compose table", async (t) => {
  const readme = await readFile(join(repoRoot, 'README.md'), 'utf8');
  const table = readme.slice(
    readme.indexOf('- **Variables** compose reads'),
    readme.indexOf('- **Checks in `npm test`**'),
  );
  for (const file of [
    'docker-compose.yml',
    'docker-compose.offline.yml',
    'docker-compose.tls.yml',
    'docker-compose.real-ip.yml',
    replicasFile,
  ]) {
    const text = await readFile(join(repoRoot, file), 'utf8');
    for (const [, name] of text.matchAll(/\$\{([A-Z0-9_]+)/g))
      t.true(table.includes(`\`${name}\``), `${file}: ${name} is not documented`);
  }
});
