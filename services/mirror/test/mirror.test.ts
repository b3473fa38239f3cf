import { execFileSync } from 'node:child_process';
import test from 'ava';
import { sourceTreeAt } from '../src/index.js';
import { mirrorDescription } from '../src/mirror/pack.js';
import { defaultSourceDir } from '../src/paths.js';
import { connectionAad } from '../src/domain/github-session.js';
import type { ConnectionRow } from '../src/store/connections.js';
import { connect } from './helpers/flows.js';
import { call, startHarness, type Harness } from './helpers/harness.js';
import { drain, job, startMirror } from './helpers/jobs.js';
import { cloneBare, fixtureCheckout, gitIn, remoteGit, trackedEntries, treeEntries } from './helpers/source.js';

const storedToken = async (h: Harness, userId: string) => {
  const row = (
    await h.database.db.query<ConnectionRow>('SELECT * FROM github_connections WHERE user_id = $1', [userId])
  ).rows[0]!;
  return h.mirror.deps.cipher.open(row, connectionAad(userId));
};

/** Every object of a bare repository, as bytes. */
const allObjects = (gitDir: string) => {
  const ids = gitIn(gitDir, 'cat-file', '--batch-all-objects', '--batch-check=%(objectname)').trim().split('\n');
  return ids.map((id) => execFileSync('git', ['cat-file', '-p', id], { cwd: gitDir }));
};

test('first mirror → repository created and pushed: exactly the tracked files with modes, one commit naming the version', async (t) => {
  const dir = fixtureCheckout(t);
  const h = await startHarness(t, { source: sourceTreeAt(dir) });
  const { token } = await connect(h, 'u1', 'octo');
  const id = await startMirror(h, token);
  t.is((await job(h, token, id)).status, 'queued');
  await drain(h.mirror);
  const done = await job(h, token, id);
  t.log(JSON.stringify(done));
  t.like(done, { status: 'succeeded', percent: 100, repository: { full_name: 'octo/gatehouse' }, error: null });
  const repo = await call(`${h.github.api}/repos/octo/gatehouse`);
  t.is((repo.body as { description: string }).description, mirrorDescription);

  const clone = await cloneBare(t, `${h.github.url}/octo/gatehouse.git`);
  const marker = treeEntries(clone).filter((e) => e.endsWith(' .gatehouse-mirror'));
  t.deepEqual(treeEntries(clone), [...trackedEntries(dir), ...marker].sort());
  t.true(treeEntries(clone).some((e) => e.startsWith('100755 ') && e.endsWith(' run.sh')));
  t.true(treeEntries(clone).some((e) => e.startsWith('120000 ') && e.endsWith(' link.ts')));
  t.false(treeEntries(clone).some((e) => /node_modules|\.env$/.test(e)));
  t.is(gitIn(clone, 'rev-list', '--count', 'HEAD').trim(), '1');
  const head = gitIn(clone, 'rev-parse', 'HEAD').trim();
  t.regex(
    gitIn(clone, 'log', '-1', '--format=%s'),
    new RegExp(`^Gatehouse 9\\.9\\.9 \\(${gitIn(dir, 'rev-parse', 'HEAD').slice(0, 12)}\\)`),
  );
  const githubToken = await storedToken(h, 'u1');
  t.false(
    allObjects(clone).some((o) => o.includes(githubToken)),
    'the token is in no pushed object',
  );
  t.false(h.logs.text().includes(githubToken), 'the token is in no log line');

  const connection = await call(`${h.url}/v1/github/connection`, { token });
  const uses = connection.body.uses as { purpose: string; endpoint: string }[];
  t.true(uses.some((u) => u.endpoint === 'POST /user/repos'));
  t.true(uses.some((u) => u.endpoint === 'git-receive-pack'));
  t.false(JSON.stringify(connection.body).includes(githubToken));

  // Second run: same source → reported current, nothing pushed, still one repository.
  const again = await startMirror(h, token);
  await drain(h.mirror);
  const second = await job(h, token, again);
  t.is(second.status, 'succeeded');
  t.regex(second.message, /already current/);
  t.is(gitIn(await cloneBare(t, `${h.github.url}/octo/gatehouse.git`), 'rev-parse', 'HEAD').trim(), head);

  // A changed source → the same repository brought up to date.
  execFileSync(
    'sh',
    ['-c', 'echo more >> src/deep/a.ts && git add -A && git -c user.name=t -c user.email=t@t commit -qm two'],
    { cwd: dir },
  );
  const third = await startMirror(h, token);
  await drain(h.mirror);
  t.is((await job(h, token, third)).status, 'succeeded');
  const updated = await cloneBare(t, `${h.github.url}/octo/gatehouse.git`);
  t.not(gitIn(updated, 'rev-parse', 'HEAD').trim(), head);
  t.deepEqual(
    treeEntries(updated),
    [
      ...trackedEntries(dir),
      ...marker.map((m) => treeEntries(updated).find((e) => e.endsWith(m.split(' ')[2]!))!),
    ].sort(),
  );
  const repos = await call(`${h.url}/v1/github/repos`, { token });
  t.is((repos.body.repositories as unknown[]).length, 1);
});

test("mirroring Gatehouse's own checkout → pushed tree equals its tracked files (mode, blob, path)", async (t) => {
  const h = await startHarness(t, { source: sourceTreeAt(defaultSourceDir) });
  const { token } = await connect(h, 'u1', 'octo');
  const id = await startMirror(h, token);
  await drain(h.mirror);
  t.is((await job(h, token, id)).status, 'succeeded');
  const clone = await cloneBare(t, `${h.github.url}/octo/gatehouse.git`);
  const root = defaultSourceDir;
  // Blobs as git would store the working-tree files now (the checkout may hold uncommitted work).
  const files = gitIn(root, 'ls-files', '-z').split('\0').filter(Boolean);
  const modes = new Map(
    gitIn(root, 'ls-files', '-s', '-z')
      .split('\0')
      .filter(Boolean)
      .map((l) => [l.split('\t')[1]!, l.split(' ')[0]!]),
  );
  const blobs = execFileSync('git', ['hash-object', '--stdin-paths'], { cwd: root, input: files.join('\n') })
    .toString()
    .trim()
    .split('\n');
  const expected = files.map((f, i) => `${modes.get(f)} ${blobs[i]} ${f}`);
  const pushed = treeEntries(clone).filter((e) => !e.endsWith(' .gatehouse-mirror'));
  t.deepEqual(pushed, expected.sort());
  t.false(pushed.some((e) => / (node_modules|dist|\.data)\//.test(e)));
});

test('planted fake private key → job failed secret_detected, nothing pushed', async (t) => {
  const fakeKey = ['-----BEGIN', 'RSA PRIVATE KEY-----'].join(' ') + '\nMIIEowIBAAKCAQEAfake\n';
  const dir = fixtureCheckout(t, { 'config/deploy.pem.txt': fakeKey });
  const h = await startHarness(t, { source: sourceTreeAt(dir) });
  const { token } = await connect(h, 'u1', 'octo');
  const id = await startMirror(h, token);
  await drain(h.mirror);
  const failed = await job(h, token, id);
  t.is(failed.status, 'failed');
  t.is(failed.error?.code, 'secret_detected');
  t.regex(failed.error?.message ?? '', /config\/deploy\.pem\.txt:1/);
  t.false((failed.error?.message ?? '').includes('MIIE'));
  t.is((await remoteGit('ls-remote', `${h.github.url}/octo/gatehouse.git`)).trim(), '');
});

test('name taken by a foreign repository → failed repository_name_taken, foreign repository untouched', async (t) => {
  const dir = fixtureCheckout(t);
  const h = await startHarness(t, { source: sourceTreeAt(dir) });
  const { token } = await connect(h, 'u1', 'octo');
  const theirs = await h.github.admin('/oauth/tokens', {
    client_id: 'Ov23liMirrorTest0001',
    login: 'octo',
    scope: 'public_repo',
  });
  const ghToken = (theirs.body as { access_token: string }).access_token;
  const created = await fetch(`${h.github.api}/user/repos`, {
    method: 'POST',
    headers: { authorization: `Bearer ${ghToken}`, 'content-type': 'application/json', 'user-agent': 't' },
    body: JSON.stringify({ name: 'gatehouse', description: 'my own project', auto_init: true }),
  });
  t.is(created.status, 201);
  const before = await remoteGit('ls-remote', `${h.github.url}/octo/gatehouse.git`);
  const id = await startMirror(h, token);
  await drain(h.mirror);
  const failed = await job(h, token, id);
  t.is(failed.error?.code, 'repository_name_taken');
  t.regex(failed.error?.message ?? '', /gatehouse-gatehouse-mirror/);
  t.is(await remoteGit('ls-remote', `${h.github.url}/octo/gatehouse.git`), before);
  // The suggested name works.
  const retry = await startMirror(h, token, { name: 'gatehouse-gatehouse-mirror' });
  await drain(h.mirror);
  t.is((await job(h, token, retry)).status, 'succeeded');
});

test('a second mirror while one is unfinished → 409 mirror_in_progress; someone else’s job → 404', async (t) => {
  const h = await startHarness(t, { source: sourceTreeAt(fixtureCheckout(t)) });
  const { token } = await connect(h, 'u1', 'octo');
  const id = await startMirror(h, token);
  const second = await call(`${h.url}/v1/mirrors`, { method: 'POST', token, json: {} });
  t.is(second.status, 409);
  t.is(second.body.code, 'mirror_in_progress');
  const stranger = h.verifier.issue('u2');
  t.is((await call(`${h.url}/v1/mirrors/${id}`, { token: stranger })).status, 404);
  t.is((await call(`${h.url}/v1/mirrors/${id}`)).status, 401);
  const notConnected = await call(`${h.url}/v1/mirrors`, { method: 'POST', token: stranger, json: {} });
  t.is(notConnected.body.code, 'github_not_connected');
});

test('disconnect → grant revoked at the stand-in and token deleted; GitHub unreachable → deleted anyway, revoked later from the outbox', async (t) => {
  const h = await startHarness(t);
  const { token } = await connect(h, 'u1', 'octo');
  const ghToken = await storedToken(h, 'u1');
  const me = () =>
    fetch(`${h.github.api}/user`, { headers: { authorization: `Bearer ${ghToken}`, 'user-agent': 't' } });
  t.is((await me()).status, 200);
  t.is((await call(`${h.url}/v1/github/connection`, { method: 'DELETE', token })).status, 204);
  t.is((await me()).status, 401);
  t.is((await h.database.db.query('SELECT 1 FROM github_connections')).rows.length, 0);
  t.is((await h.database.db.query('SELECT 1 FROM github_revocations')).rows.length, 0);

  await connect(h, 'u1', 'octo');
  const second = await storedToken(h, 'u1');
  await h.github.fault({ kind: 'status', status: 502, times: 10, path: '/api/v3/applications/' });
  t.is((await call(`${h.url}/v1/github/connection`, { method: 'DELETE', token })).status, 204);
  t.is((await h.database.db.query('SELECT 1 FROM github_connections')).rows.length, 0);
  t.is((await h.database.db.query('SELECT 1 FROM github_revocations')).rows.length, 1);
  const dump = (
    await h.database.db.query<{ row: string }>('SELECT row_to_json(r)::text AS row FROM github_revocations r')
  ).rows[0]!.row;
  t.false(dump.includes(second));
  const still = await fetch(`${h.github.api}/user`, {
    headers: { authorization: `Bearer ${second}`, 'user-agent': 't' },
  });
  t.is(still.status, 200);
  await h.github.admin('/faults', undefined, 'DELETE');
  h.clock.advance(24 * 3600 * 1000);
  await h.mirror.revokeDue();
  const after = await fetch(`${h.github.api}/user`, {
    headers: { authorization: `Bearer ${second}`, 'user-agent': 't' },
  });
  t.is(after.status, 401);
  t.is((await h.database.db.query('SELECT 1 FROM github_revocations')).rows.length, 0);
});
