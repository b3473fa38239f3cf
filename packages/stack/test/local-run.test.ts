import { createServer } from 'node:net';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import test from 'ava';
import {
  findNginx,
  formatLogLine,
  freePorts,
  readStackConfig,
  servicePortVariable,
  services,
  startStack,
  type StackReporter,
} from '../src/index.js';

const quiet: StackReporter = { info: () => {}, line: () => {} };

async function configWithFreePorts(extra: Record<string, string> = {}) {
  const [gateway, mailWeb, mailSmtp, ...servicePorts] = await freePorts(3 + services.length);
  const dataDir = await mkdtemp(join(tmpdir(), 'gatehouse-run-'));
  return readStackConfig(services, {
    PATH: process.env.PATH,
    GATEWAY_PORT: String(gateway),
    ...Object.fromEntries(services.map((s, i) => [servicePortVariable(s.name), String(servicePorts[i])])),
    MAIL_WEB_PORT: String(mailWeb),
    MAIL_SMTP_PORT: String(mailSmtp),
    GATEHOUSE_DATA_DIR: dataDir,
    ...extra,
  });
}

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
