// The mirror benchmark as a function: `npm run bench:mirror` prints it, `npm
// run bench` takes the ratio for the footprint table.
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { createServer } from 'node:http';
import { mkdtemp, rm } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { createPgliteDatabase } from '@gatehouse/db';
import { createLogger } from '@gatehouse/service-kit';
import { createSandboxRuntime, sandboxConfigSchema } from '@gatehouse/github-sandbox';
import { createMirrorRuntime, mirrorConfigSchema } from '@gatehouse/mirror';
import { writeAskpass } from '../../services/mirror/src/mirror/git.js';
import { insertJob, findJob } from '../../services/mirror/src/store/mirror-jobs.js';
import { upsertConnection } from '../../services/mirror/src/store/connections.js';
import { connectionAad } from '../../services/mirror/src/domain/github-session.js';

const run = promisify(execFile);
const root = new URL('../..', import.meta.url).pathname;

export interface MirrorBench {
  /** Tracked files mirrored. */
  files: number;
  /** Medians over the rounds, ms. */
  plainMs: number;
  mirrorMs: number;
  /** mirror job / plain git push (target ≤ 1.5). */
  ratio: number;
}

/** Mirrors the current tree to the GitHub stand-in, against a plain `git push` of it, in interleaved rounds. */
export async function benchMirror({ rounds }: { rounds: number }): Promise<MirrorBench> {
  const admin = randomBytes(24).toString('hex');
  const app = {
    client_id: 'Ov23liBenchClient001',
    client_secret: randomBytes(16).toString('hex'),
    name: 'Bench',
    callback_url: 'http://bench.test/github/callback',
  };
  const logger = createLogger({ service: 'bench', level: 'silent' });

  const dir = await mkdtemp(join(tmpdir(), 'bench-mirror-'));
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const sandbox = await createSandboxRuntime(
    sandboxConfigSchema.parse({
      PUBLIC_URL: url,
      DATA_DIR: join(dir, 'gh'),
      SANDBOX_ADMIN_TOKEN: admin,
      OAUTH_APPS: JSON.stringify([app]),
    }),
    { db: await createPgliteDatabase(), logger },
  );
  server.on('request', sandbox.app.callback());

  const tokenRes = await fetch(`${url}/_sandbox/oauth/tokens`, {
    method: 'POST',
    headers: { authorization: `Bearer ${admin}`, 'content-type': 'application/json', 'user-agent': 'bench' },
    body: JSON.stringify({ client_id: app.client_id, login: 'bench', scope: 'public_repo' }),
  });
  const token = ((await tokenRes.json()) as { access_token: string }).access_token;

  const config = mirrorConfigSchema.parse({
    SERVICE_SECRET: randomBytes(24).toString('hex'),
    DATA_DIR: join(dir, 'mirror'),
    GITHUB_CLIENT_ID: app.client_id,
    GITHUB_CLIENT_SECRET: app.client_secret,
    GITHUB_OAUTH_URL: url,
    GITHUB_API_URL: `${url}/api/v3`,
    GITHUB_TOKEN_KEYS: `k1:${randomBytes(32).toString('base64')}`,
    MIRROR_SOURCE_DIR: root,
  });
  const verifier = { verify: async () => ({ ok: false as const, reason: 'bench' }), onRevoked: () => () => {} };
  const mirror = await createMirrorRuntime(config, {
    db: await createPgliteDatabase(),
    logger,
    verifier,
    manualWorker: true,
  });
  const { db, cipher, clock } = mirror.deps;
  await upsertConnection(db, {
    user_id: 'bench',
    github_id: '1',
    login: 'bench',
    scope: 'public_repo',
    ...cipher.seal(token, connectionAad('bench')),
    connected_at: clock.now(),
  });

  const askpass = await writeAskpass(join(dir, 'askpass'));
  const createRepo = (name: string) =>
    fetch(`${url}/api/v3/user/repos`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json', 'user-agent': 'bench' },
      body: JSON.stringify({ name }),
    });

  async function plainPush(name: string): Promise<number> {
    const start = performance.now();
    // What a person would do by hand: create the repository, push the checkout's HEAD.
    await createRepo(name);
    await run('git', ['-c', 'credential.helper=', 'push', '-q', `${url}/bench/${name}.git`, 'HEAD:refs/heads/main'], {
      cwd: root,
      env: {
        PATH: process.env.PATH ?? '',
        GIT_ASKPASS: askpass,
        GATEHOUSE_GIT_PASSWORD: token,
        GIT_TERMINAL_PROMPT: '0',
        GIT_CONFIG_GLOBAL: '/dev/null',
      },
    });
    return performance.now() - start;
  }

  async function mirrorJob(name: string): Promise<number> {
    const start = performance.now();
    const id = crypto.randomUUID();
    await insertJob(db, { id, user_id: 'bench', repo_name: name, private: false }, clock.now());
    await mirror.worker!.drain();
    const job = await findJob(db, id);
    if (job?.status !== 'succeeded') throw new Error(`mirror job ended ${job?.status}: ${job?.error_message}`);
    return performance.now() - start;
  }

  const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
  const plain: number[] = [];
  const mirrored: number[] = [];
  const files = (await run('git', ['ls-files'], { cwd: root })).stdout.split('\n').filter(Boolean).length;
  for (let i = 0; i < rounds; i += 1) {
    // Interleaved, so load on the machine weighs on both alike.
    plain.push(await plainPush(`plain-${i}`));
    mirrored.push(await mirrorJob(`mirror-${i}`));
  }
  await mirror.close();
  await sandbox.close();
  server.close();
  await rm(dir, { recursive: true, force: true });
  return { files, plainMs: median(plain), mirrorMs: median(mirrored), ratio: median(mirrored) / median(plain) };
}
