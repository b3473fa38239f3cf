/// <reference lib="dom" />
// The kill test (compose replicas run only; see docker-compose.replicas.yml): the
// whole journey — sign up → mail → confirm → log in → mirror to the GitHub
// stand-in → log out — with two replicas of each service, while the killer
// SIGKILLs one replica of each at random moments and restarts it. Then: one
// confirmation mail, one repository with the same tree every round (the job
// resumed on a surviving replica), the logged-out token and session refused by
// every replica within 1 s, and no 5xx for anything the person asked for.
import { randomInt } from 'node:crypto';
import type { ExecutionContext } from 'ava';
import type { Page } from 'playwright-core';
import { testNeeding } from '@gatehouse/testkit';
import { dockerEngine } from '../support/docker-engine.js';
import { chromiumMissing, launchBrowser, mailUrl, screenshot, uniqueUser, url } from '../support/index.js';
import { signUpInBrowser } from '../support/accounts.js';
import { planKills, seededRandom, startKiller } from './killer.js';
import { direct } from './direct.js';

const project = process.env.E2E_COMPOSE_PROJECT ?? '';
const replicated = (process.env.E2E_REPLICATED ?? '').split(/\s+/).filter(Boolean);
const rounds = Number(process.env.E2E_KILL_ROUNDS || 3);
const seed = Number(process.env.E2E_KILL_SEED || randomInt(2 ** 31));
const sandboxUrl = (process.env.E2E_GITHUB_SANDBOX_URL ?? '').replace(/\/+$/, '');
const ports = { auth: 3001, web: 3000, mirror: 3002 } as const;
const random = seededRandom(seed);
process.stdout.write(`kill test: seed ${seed} (replay with GATEHOUSE_KILL_SEED=${seed}), ${rounds} rounds\n`);

const missing = !project
  ? 'E2E_COMPOSE_PROJECT is not set (npm run test:compose sets it with docker-compose.replicas.yml)'
  : (chromiumMissing ?? (sandboxUrl ? undefined : 'E2E_GITHUB_SANDBOX_URL is not set'));
const serial = testNeeding(missing, { serial: true });
const trees: string[][] = [];

for (let round = 1; round <= rounds; round += 1) {
  serial(`round ${round}: a replica of each service killed during the journey → nothing lost, nothing twice`, (t) =>
    journeyUnderKills(t, round),
  );
}

async function journeyUnderKills(t: ExecutionContext, round: number) {
  t.timeout(480_000);
  const docker = dockerEngine();
  const plan = planKills(random, replicated, 2, 30_000);
  const log = (line: string) => process.stdout.write(`kill test round ${round} (seed ${seed}): ${line}\n`);
  log(
    `plan ${plan.map((k) => `${k.service}-${k.replica + 1} at +${(k.atMs / 1000).toFixed(1)}s for ${k.downMs} ms`).join(', ')}`,
  );
  const killer = startKiller({ docker, project, plan, log });

  const browser = await launchBrowser();
  t.teardown(() => browser.close());
  const context = await browser.newContext({ viewport: { width: 1280, height: 860 } });
  const page = await context.newPage();
  const serverErrors: string[] = [];
  page.on('response', (r) => {
    if (r.status() >= 500) serverErrors.push(`${r.status()} ${r.request().method()} ${r.url()}`);
  });
  const person = uniqueUser(`kill${round}`);
  const login = `kill${round}${Date.now().toString(36)}`;
  try {
    await signUpConfirmLogIn(page, person);
    await mirrorToStandIn(page, login);
  } catch (err) {
    await screenshot(page, `kill-round-${round}-failed`).catch(() => undefined);
    throw err;
  }
  const events = await killer.done;
  t.log(`seed ${seed}; kills: ${events.join('; ')}`);

  // A token of the person's for the API, then log out everywhere: the browser's session and the token.
  const token = await direct.login(url('/'), person);
  const session = (await context.cookies()).map((c) => `${c.name}=${c.value}`).join('; ');
  await page.goto(url('/account'));
  await page.getByRole('button', { name: 'Log out', exact: true }).click();
  await page.getByText('You’re logged out.').waitFor();
  t.is(await direct.logout(url('/'), token), 204);
  const loggedOutAt = performance.now();
  const refusals = await Promise.all(
    replicated.map(async (service) => {
      const port = ports[service as keyof typeof ports];
      const containers = await docker.containers(project, service);
      return Promise.all(
        containers.map(async (c) => {
          const ms = await direct.refusedWithin(service, `http://${c.ip}:${port}`, { token, session }, 1000);
          return `${c.name} ${ms === undefined ? 'STILL ACCEPTS' : `refused after ${ms} ms`}`;
        }),
      );
    }),
  );
  t.log(`after logout (${(performance.now() - loggedOutAt).toFixed(0)} ms): ${refusals.flat().join(', ')}`);
  t.deepEqual(
    refusals.flat().filter((r) => r.includes('STILL ACCEPTS')),
    [],
    'every replica refuses the logged-out token and session within 1 s',
  );

  const mails = await direct.mailsTo(mailUrl, person.email);
  t.is(mails.filter((m) => /confirm/i.test(m.subject)).length, 1, 'exactly one confirmation mail');
  const repos = await direct.repositoriesOf(sandboxUrl, login);
  t.deepEqual(repos, [`/${login}/gatehouse`], 'exactly one repository');
  const tree = await direct.filesOf(sandboxUrl, `${login}/gatehouse`);
  t.true(tree.includes('package.json'), `the tree: ${tree.slice(0, 10).join(', ')}…`);
  if (trees[0]) t.deepEqual(tree, trees[0], "the same tree as round 1's");
  trees.push(tree);
  t.deepEqual(serverErrors, [], 'no 5xx reached the person');
}

async function signUpConfirmLogIn(page: Page, person: { username: string; email: string; password: string }) {
  // A claim held by a killed auth replica passes to the other after MAIL_CLAIM_MS.
  await page.goto(await signUpInBrowser(page, person, { mailTimeoutMs: 45_000 }));
  await page.getByRole('heading', { name: 'Your email is confirmed' }).waitFor();
  await page.goto(url('/login'));
  await page.getByLabel('Username or email').fill(person.username);
  await page.getByLabel('Password').fill(person.password);
  await page.getByRole('button', { name: 'Log in', exact: true }).click();
  await page.waitForURL((u) => u.pathname !== '/login');
}

async function mirrorToStandIn(page: Page, login: string) {
  await page.goto(url('/account'));
  await page.getByRole('button', { name: 'Connect GitHub' }).click();
  await page.waitForURL((u) => u.href.startsWith(`${sandboxUrl}/login/oauth/authorize`));
  await page.getByLabel('Signed in as').fill(login);
  await page.getByRole('button', { name: 'Authorize Gatehouse' }).click();
  await page.getByText(`GitHub is connected as ${login}.`).waitFor();
  await page.getByRole('link', { name: 'Mirror Gatehouse’s code' }).click();
  await page.getByRole('button', { name: 'Start mirroring' }).click();
  // A job on a killed mirror replica resumes on the other once its lease (MIRROR_JOB_LEASE_MS) runs out. The
  // page's live socket may have gone with a killed replica: the person reloads, as anyone would.
  const repository = page.getByRole('link', { name: `${login}/gatehouse` });
  for (const deadline = Date.now() + 300_000; ;) {
    const shown = await repository.waitFor({ timeout: 15_000 }).then(
      () => true,
      () => false,
    );
    if (shown) return;
    if (Date.now() > deadline) throw new Error(`no link to ${login}/gatehouse on /mirror after 5 minutes`);
    await page.reload();
  }
}
