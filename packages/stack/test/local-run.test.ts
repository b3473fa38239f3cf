import { createServer } from 'node:net';
import { rm } from 'node:fs/promises';
import test from 'ava';
import {
  findNginx,
  formatLogLine,
  readStackConfig,
  selectLocalServices,
  serviceEnv,
  services,
  startStack,
  type StackReporter,
} from '../src/index.js';
import { configWithFreePorts } from './fixtures/free-config.js';

const quiet: StackReporter = { info: () => {}, line: () => {} };

test('defaults: nginx or the gateway on 8080, services on their own ports, data under the repository', (t) => {
  const config = readStackConfig(services, {});
  t.is(config.gateway, 'auto');
  t.is(config.gatewayPort, 8080);
  t.is(config.gatewayHost, '127.0.0.1');
  t.deepEqual(config.servicePorts, Object.fromEntries(services.map((s) => [s.name, s.port])));
  t.like(config.servicePorts, { auth: 3001, web: 3000 });
  t.is(config.publicUrl, 'http://localhost:8080');
  t.regex(config.dataDir, /\/\.data$/);
  t.is(readStackConfig(services, { GATEWAY_PORT: '9090' }).publicUrl, 'http://localhost:9090');
});

test('an invalid setting is refused with the variable named', (t) => {
  t.throws(() => readStackConfig(services, { GATEWAY_PORT: 'eighty' }), { message: /GATEWAY_PORT/ });
  t.throws(() => readStackConfig(services, { GATEHOUSE_GATEWAY: 'caddy' }), { message: /GATEHOUSE_GATEWAY/ });
});

test('a taken port is named with the variable that moves it, before anything starts', async (t) => {
  const config = await configWithFreePorts();
  t.teardown(() => rm(config.dataDir, { recursive: true, force: true }));
  const blocker = createServer();
  await new Promise<void>((resolve) => blocker.listen(config.servicePorts.auth, '127.0.0.1', resolve));
  t.teardown(() => blocker.close());
  const error = await t.throwsAsync(startStack(config, services, quiet));
  t.regex(
    error!.message,
    new RegExp(
      `port ${config.servicePorts.auth} \\(the auth service\\) is already in use: set AUTH_PORT=<another port>`,
    ),
  );
});

test("the stand-in's port taken → named as its host on the front door, with the variable that moves it", async (t) => {
  const config = await configWithFreePorts({ GATEHOUSE_GATEWAY: 'node' });
  t.teardown(() => rm(config.dataDir, { recursive: true, force: true }));
  const port = config.servicePorts['github-sandbox']!;
  const blocker = createServer();
  await new Promise<void>((resolve) => blocker.listen(port, '127.0.0.1', resolve));
  t.teardown(() => blocker.close());
  const error = await t.throwsAsync(startStack(config, services, quiet));
  t.regex(
    error!.message,
    new RegExp(
      `port ${port} \\(the github-sandbox stand-in's host, node\\) is already in use: set GITHUB_SANDBOX_PORT=`,
    ),
  );
});

test('two parts given one port are refused', async (t) => {
  const config = await configWithFreePorts();
  t.teardown(() => rm(config.dataDir, { recursive: true, force: true }));
  const error = await t.throwsAsync(startStack({ ...config, mailWebPort: config.gatewayPort }, services, quiet));
  t.regex(error!.message, /configured twice \(MAIL_WEB_PORT\)/);
});

test('GATEHOUSE_GATEWAY=nginx without an nginx binary is a clear error; the lookup honours NGINX_BIN', async (t) => {
  t.is(findNginx({ nginxBin: '/nonexistent/nginx', path: process.env.PATH }), undefined);
  t.is(findNginx({ nginxBin: process.execPath }), process.execPath);
  const config = await configWithFreePorts({ GATEHOUSE_GATEWAY: 'nginx', NGINX_BIN: '/nonexistent/nginx' });
  t.teardown(() => rm(config.dataDir, { recursive: true, force: true }));
  const error = await t.throwsAsync(startStack(config, services, quiet));
  t.regex(error!.message, /no nginx binary was found.*GATEHOUSE_GATEWAY=node/);
});

const realGithub = {
  GITHUB_OAUTH_URL: 'https://github.example.test',
  GITHUB_API_URL: 'https://github.example.test/api/v3',
  GITHUB_CLIENT_ID: 'Iv1.real-app',
  GITHUB_CLIENT_SECRET: 'real-app-secret',
};

function envOf(name: string, env: Record<string, string>) {
  const config = readStackConfig(services, { ...env, GATEHOUSE_DATA_DIR: '/tmp/gatehouse-env' });
  const { services: started, exported } = selectLocalServices(services, config.env);
  const entry = services.find((s) => s.name === name)!;
  const files = { GITHUB_CLIENT_SECRET: '/secrets/github_client_secret', SERVICE_SECRET: '/secrets/service_secret' };
  const addresses = {
    url: (service: string) => `http://127.0.0.1:${config.servicePorts[service]}`,
    publicUrl: config.publicUrl,
    hostUrl: (service: string) => `http://localhost:${config.servicePorts[service]}`,
  };
  return { started: started.map((s) => s.name), env: serviceEnv(entry, config, files, addresses, exported) };
}

test('nothing GITHUB_* exported → the stand-in starts and the mirror and web point at it', (t) => {
  const mirror = envOf('mirror', {});
  t.true(mirror.started.includes('github-sandbox'));
  t.like(mirror.env, {
    GITHUB_OAUTH_URL: 'http://localhost:3003',
    GITHUB_API_URL: 'http://localhost:3003/api/v3',
    GITHUB_CLIENT_SECRET_FILE: '/secrets/github_client_secret',
    MIRROR_URL: undefined,
  });
  t.is(mirror.env.GITHUB_CLIENT_SECRET, undefined);
  t.like(envOf('web', {}).env, { MIRROR_URL: 'http://127.0.0.1:3002', GITHUB_OAUTH_URL: 'http://localhost:3003' });
});

test('the four GITHUB_* exported → they win over the stand-in defaults and the stand-in is not started', (t) => {
  const mirror = envOf('mirror', realGithub);
  t.false(mirror.started.includes('github-sandbox'));
  t.true(mirror.started.includes('mirror'));
  t.like(mirror.env, realGithub);
  t.is(mirror.env.GITHUB_CLIENT_SECRET_FILE, undefined);
  const web = envOf('web', realGithub).env;
  t.is(web.GITHUB_OAUTH_URL, realGithub.GITHUB_OAUTH_URL);
});

test('some GITHUB_* exported but not all → refused, naming the missing ones', (t) => {
  const { GITHUB_CLIENT_SECRET: _secret, ...three } = realGithub;
  t.throws(() => selectLocalServices(services, three), {
    message: /GITHUB_OAUTH_URL, GITHUB_API_URL, GITHUB_CLIENT_ID are set but GITHUB_CLIENT_SECRET is not/,
  });
});

test('pino lines become one readable line; anything else passes through', (t) => {
  t.is(
    formatLogLine(
      '{"level":30,"time":"2026-11-21T10:00:01.123Z","service":"auth","req_id":"x","method":"GET","path":"/v1/me","status":200,"ms":2.5,"msg":"request"}',
    ),
    '10:00:01 info  GET /v1/me → 200 2.5ms',
  );
  t.is(
    formatLogLine('{"level":40,"time":"2026-11-21T10:00:01.123Z","msg":"redis error","err":"ECONNREFUSED"}'),
    '10:00:01 warn  redis error err=ECONNREFUSED',
  );
  t.is(formatLogLine('MailDev API running'), 'MailDev API running');
  t.is(
    formatLogLine(
      '{"level":50,"time":"2026-11-21T10:00:01.123Z","msg":"request failed","req_id":"r1","err":{"type":"Error","message":"boom","stack":"Error: boom\\n    at x (y.ts:1:1)"}}',
    ),
    '10:00:01 error request failed\nError: boom\n    at x (y.ts:1:1)',
  );
});
