// git through the GitHub stand-in's door, on nginx and the Node gateway, to the real stand-in:
// the way the mirror and a person's git reach it in the local run and in compose.
import { randomBytes } from 'node:crypto';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ExecutionContext } from 'ava';
import { createSandboxRuntime, sandboxConfigSchema } from '@gatehouse/github-sandbox';
import { captureLogs, freshDatabase, gitCli, testNeeding, workTree } from '@gatehouse/testkit';
import { freePort, services } from '../src/index.js';
import { nginxBin, startEdges, type EdgeKind } from './fixtures/edges.js';

const adminToken = 'test-admin-token-0123456789abcdef0123456789';
const app = {
  client_id: 'Ov23liDoorTest00001',
  client_secret: 'test-client-secret-0123456789abcdef',
  name: 'Door test',
  callback_url: 'http://localhost:8080/github/callback',
};

/** The real stand-in on a port of its own, its PUBLIC_URL the door's; returns its host:port. */
async function startStandIn(t: ExecutionContext, publicUrl: string): Promise<string> {
  const database = await freshDatabase();
  const dataDir = await mkdtemp(join(tmpdir(), 'stand-in-door-'));
  const config = sandboxConfigSchema.parse({
    PUBLIC_URL: publicUrl,
    DATA_DIR: dataDir,
    SANDBOX_ADMIN_TOKEN: adminToken,
    OAUTH_APPS: JSON.stringify([app]),
  });
  const runtime = await createSandboxRuntime(config, { db: database.db, logger: captureLogs('github-sandbox').logger });
  const server = createServer(runtime.app.callback());
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  t.teardown(async () => {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
    await runtime.close();
    await database.cleanup();
    await rm(dataDir, { recursive: true, force: true });
  });
  return `127.0.0.1:${(server.address() as AddressInfo).port}`;
}

async function json(url: string, init: { method?: string; token: string; body: unknown }): Promise<unknown> {
  const res = await fetch(url, {
    method: init.method ?? 'POST',
    headers: {
      authorization: `Bearer ${init.token}`,
      'user-agent': 'gatehouse-tests',
      'content-type': 'application/json',
    },
    body: JSON.stringify(init.body),
  });
  if (res.status !== 201) throw new Error(`${url}: ${res.status} ${await res.text()}`);
  return res.json();
}

for (const kind of ['gateway', 'nginx'] as EdgeKind[]) {
  testNeeding(kind === 'nginx' && !nginxBin ? 'nginx is not installed' : undefined)(
    `${kind}: git push of a 3 MB file through the stand-in's door, clone back → same commit, same bytes`,
    async (t) => {
      t.timeout(120_000);
      const doorPort = await freePort();
      // As the local run names it: the stand-in's one base URL is its door.
      const base = `http://localhost:${doorPort}`;
      const standIn = await startStandIn(t, base);
      const edges = await startEdges(services, {
        upstreams: { 'github-sandbox': standIn },
        standInPorts: { [kind]: { 'github-sandbox': doorPort } },
      });
      t.teardown(() => edges.close());

      const { access_token: token } = (await json(`${base}/_sandbox/oauth/tokens`, {
        token: adminToken,
        body: { client_id: app.client_id, login: 'octo', scope: 'repo' },
      })) as { access_token: string };
      const repo = (await json(`${base}/api/v3/user/repos`, { token, body: { name: 'big' } })) as {
        clone_url: string;
      };
      t.is(repo.clone_url, `${base}/octo/big.git`);

      const big = randomBytes(3 * 1024 * 1024);
      const work = await workTree({ 'README.md': '# big\n', 'data/big.bin': big });
      const back = await mkdtemp(join(tmpdir(), 'stand-in-door-clone-'));
      t.teardown(() => Promise.all([work, back].map((dir) => rm(dir, { recursive: true, force: true }))));
      const push = await gitCli(work, ['push', repo.clone_url, 'main'], token);
      t.is(push.code, 0, push.stderr);
      const clone = await gitCli(back, ['clone', '--quiet', repo.clone_url, 'copy'], token);
      t.is(clone.code, 0, clone.stderr);
      t.is(
        (await gitCli(join(back, 'copy'), ['rev-parse', 'HEAD'])).stdout,
        (await gitCli(work, ['rev-parse', 'HEAD'])).stdout,
      );
      t.true((await readFile(join(back, 'copy', 'data/big.bin'))).equals(big));
    },
  );
}
