// nginx behind a load balancer (nginx/real-ip/): the client's address comes
// from the balancer's X-Forwarded-For, and only from the balancer.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ExecutionContext } from 'ava';
import { testNeeding } from '@gatehouse/testkit';
import { buildRouteTable, freePort, prepareNginx, rateZones, services } from '../src/index.js';
import { fakeUpstream } from './fixtures/fake-upstream.js';
import { nginxBin } from './fixtures/edges.js';
import { addTemplate, runNginx } from './fixtures/run-nginx.js';

/** nginx from the rendered site, plus the real-ip template rendered with `realIpFrom` when given. */
async function startNginx(t: ExecutionContext, realIpFrom: string | undefined): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'gatehouse-real-ip-'));
  const { upstreams } = buildRouteTable(services);
  const fakes = await Promise.all(upstreams.map((u) => fakeUpstream(u.service)));
  t.teardown(async () => {
    await Promise.all(fakes.map((f) => f.close()));
    await rm(dir, { recursive: true, force: true });
  });
  const port = await freePort();
  const variables = {
    GATEHOUSE_LISTEN: `127.0.0.1:${port}`,
    GATEHOUSE_ACCESS_LOG: join(dir, 'access.log'),
    ...(realIpFrom ? { GATEHOUSE_REAL_IP_FROM: realIpFrom } : {}),
    ...Object.fromEntries(upstreams.map((u, i) => [u.variable, `127.0.0.1:${fakes[i]!.port}`])),
  };
  const layout = await prepareNginx(join(dir, 'run'), variables);
  // As docker-compose.real-ip.yml does.
  if (realIpFrom) await addTemplate(layout, 'real-ip/real-ip.conf.template', variables);
  const base = `http://127.0.0.1:${port}`;
  await runNginx(t, layout, base);
  return base;
}

const seenAddress = async (base: string, forwardedFor: string) => {
  const res = await fetch(`${base}/api/auth/v1/me`, { headers: { 'x-forwarded-for': forwardedFor } });
  return ((await res.json()) as { headers: Record<string, string> }).headers['x-forwarded-for'];
};

/** How many of `count` login POSTs claiming to come from `client` get a 429. */
async function refusedLogins(base: string, client: string, count: number): Promise<number> {
  let refused = 0;
  for (let i = 0; i < count; i++) {
    const res = await fetch(`${base}/api/auth/v1/token`, { method: 'POST', headers: { 'x-forwarded-for': client } });
    await res.body?.cancel();
    if (res.status === 429) refused++;
  }
  return refused;
}

const missing = nginxBin ? undefined : 'nginx is not installed';
const beyondBurst = rateZones.login.burst + 5;

testNeeding(missing)(
  'real-ip from the balancer → services see the client from its X-Forwarded-For, and each client has its own budget',
  async (t) => {
    const base = await startNginx(t, '127.0.0.1');
    t.is(await seenAddress(base, '203.0.113.9'), '203.0.113.9');
    t.is(await seenAddress(base, '6.6.6.6, 203.0.113.9, 127.0.0.1'), '203.0.113.9', 'the balancer’s own hop skipped');
    t.true((await refusedLogins(base, '203.0.113.10', beyondBurst)) > 0, 'one client runs out');
    t.is(await refusedLogins(base, '203.0.113.11', 3), 0, 'another client still has its budget');
  },
);

testNeeding(missing)(
  'without real-ip (the default) → a client’s X-Forwarded-For is replaced by its address',
  async (t) => {
    const base = await startNginx(t, undefined);
    t.is(await seenAddress(base, '203.0.113.9'), '127.0.0.1');
  },
);

testNeeding(missing)(
  'real-ip from another address → the client’s X-Forwarded-For still counts for nothing',
  async (t) => {
    const base = await startNginx(t, '10.0.0.0/8');
    t.is(await seenAddress(base, '203.0.113.9'), '127.0.0.1');
    t.true((await refusedLogins(base, '203.0.113.12', beyondBurst)) > 0);
    t.true((await refusedLogins(base, '203.0.113.13', 3)) > 0, 'a forged address buys no fresh budget');
  },
);
