// The optional TLS server block: the same locations on HTTPS, HSTS there only.
import { spawnSync } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { request } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { testNeeding } from '@gatehouse/testkit';
import { buildRouteTable, freePorts, hstsHeader, prepareNginx, services } from '../src/index.js';
import { fakeUpstream } from './fixtures/fake-upstream.js';
import { nginxBin } from './fixtures/edges.js';
import { addTemplate, runNginx } from './fixtures/run-nginx.js';

const openssl = spawnSync('openssl', ['version']).status === 0;
const missing = !nginxBin ? 'nginx is not installed' : !openssl ? 'openssl is not installed' : undefined;

/** Headers of an HTTPS GET, trusting the test's self-signed certificate. */
function httpsHeaders(url: string): Promise<Record<string, string | string[] | undefined>> {
  return new Promise((resolve, reject) => {
    request(url, { rejectUnauthorized: false }, (res) => {
      res.resume();
      resolve(res.headers);
    })
      .on('error', reject)
      .end();
  });
}

testNeeding(missing)('TLS server block: same routes over HTTPS with HSTS; plain HTTP never sends HSTS', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'gatehouse-tls-'));
  const { upstreams } = buildRouteTable(services);
  const fakes = await Promise.all(upstreams.map((u) => fakeUpstream(u.service)));
  t.teardown(async () => {
    await Promise.all(fakes.map((f) => f.close()));
    await rm(dir, { recursive: true, force: true });
  });
  const made = spawnSync('openssl', [
    'req',
    '-x509',
    '-newkey',
    'ec',
    '-pkeyopt',
    'ec_paramgen_curve:P-256',
    '-nodes',
    '-days',
    '1',
    '-subj',
    '/CN=localhost',
    '-keyout',
    join(dir, 'privkey.pem'),
    '-out',
    join(dir, 'fullchain.pem'),
  ]);
  t.is(made.status, 0, String(made.stderr));

  const [plain, tls] = await freePorts(2);
  const variables = {
    GATEHOUSE_LISTEN: `127.0.0.1:${plain}`,
    GATEHOUSE_TLS_LISTEN: `127.0.0.1:${tls}`,
    GATEHOUSE_TLS_CERTS: dir,
    GATEHOUSE_ACCESS_LOG: join(dir, 'access.log'),
    ...Object.fromEntries(upstreams.map((u, i) => [u.variable, `127.0.0.1:${fakes[i]!.port}`])),
  };
  const layout = await prepareNginx(join(dir, 'run'), variables);
  // As docker-compose.tls.yml does: the TLS template joins the rendered site.
  await addTemplate(layout, 'tls/gatehouse-tls.conf.template', variables);
  await runNginx(t, layout, `http://127.0.0.1:${plain}`);

  const secure = await httpsHeaders(`https://127.0.0.1:${tls}/api/auth/v1/me`);
  t.is(secure['strict-transport-security'], hstsHeader.value);
  t.is(secure['x-content-type-options'], 'nosniff');
  const blocked = await httpsHeaders(`https://127.0.0.1:${tls}/api/auth/v1/introspect`);
  t.is(blocked['strict-transport-security'], hstsHeader.value, "on the edge's own errors too");
  const insecure = await fetch(`http://127.0.0.1:${plain}/api/auth/v1/me`);
  t.is(insecure.headers.get('strict-transport-security'), null);
});
