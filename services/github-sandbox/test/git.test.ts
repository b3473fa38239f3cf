import { randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import { mkdtemp, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import test from 'ava';
import git from 'isomorphic-git';
import http from 'isomorphic-git/http/node';
import { gitCli, workTree } from '@gatehouse/testkit';
import { bearer, call, client, startSandbox, tokenFor, type Sandbox } from './helpers/sandbox.js';
import { unissuedToken } from './helpers/unissued-token.js';

async function newRepo(s: Sandbox, token: string, name: string, extra: Record<string, unknown> = {}): Promise<string> {
  const res = await call(`${s.api}/user/repos`, { method: 'POST', headers: bearer(token), json: { name, ...extra } });
  if (res.status !== 201) throw new Error(`create failed: ${res.status} ${res.text}`);
  return (res.body as { clone_url: string }).clone_url;
}

test('git CLI push to clone_url with the token, clone back → same commit, same bytes', async (t) => {
  const s = await startSandbox(t);
  const token = await tokenFor(s, 'pusher', 'repo');
  const cloneUrl = await newRepo(s, token, 'mirror');
  const binary = randomBytes(300_000);
  const work = await workTree({ 'README.md': '# hi\n', 'data/blob.bin': binary, 'src/a.txt': 'a\n' });
  const push = await gitCli(work, ['push', cloneUrl, 'main'], token);
  t.is(push.code, 0, push.stderr);
  t.false((await readFile(join(work, '.git', 'config'), 'utf8')).includes(token));

  const back = await mkdtemp(join(tmpdir(), 'sandbox-clone-'));
  const clone = await gitCli(back, ['clone', '--quiet', cloneUrl, 'copy'], token);
  t.is(clone.code, 0, clone.stderr);
  const here = await gitCli(work, ['rev-parse', 'HEAD']);
  const there = await gitCli(join(back, 'copy'), ['rev-parse', 'HEAD']);
  t.is(there.stdout, here.stdout);
  t.true((await readFile(join(back, 'copy', 'data/blob.bin'))).equals(binary));

  const ref = await call(`${s.api}/repos/pusher/mirror/git/ref/heads/main`, { headers: bearer(token) });
  t.is((ref.body as { object: { sha: string } }).object.sha, here.stdout.trim());
  const page = await call(`${s.url}/pusher/mirror`);
  t.regex(page.text, /data\/blob\.bin/);
  t.regex(page.text, new RegExp(here.stdout.trim().slice(0, 12)));
});

test('public repository → cloned without credentials; private one → 401 asking for Basic', async (t) => {
  const s = await startSandbox(t);
  const token = await tokenFor(s, 'opener', 'repo');
  const open = await newRepo(s, token, 'open', { auto_init: true });
  const closed = await newRepo(s, token, 'closed', { auto_init: true, private: true });
  const dir = await mkdtemp(join(tmpdir(), 'sandbox-clone-'));
  t.is((await gitCli(dir, ['clone', '--quiet', open, 'a'])).code, 0);
  t.is(await readFile(join(dir, 'a', 'README.md'), 'utf8'), '# open\n');
  const refused = await call(`${closed}/info/refs?service=git-upload-pack`);
  t.is(refused.status, 401);
  t.is(refused.headers.get('www-authenticate'), 'Basic realm="GitHub"');
  t.is((await gitCli(dir, ['clone', '--quiet', closed, 'b'], token)).code, 0);
});

test('wrong or revoked token → 401 with WWW-Authenticate: Basic; git reports authentication failed', async (t) => {
  const s = await startSandbox(t);
  const token = await tokenFor(s, 'revoker', 'repo');
  const cloneUrl = await newRepo(s, token, 'r');
  const work = await workTree({ 'a.txt': 'a' });
  const wrong = await gitCli(work, ['push', cloneUrl, 'main'], unissuedToken('wrong'));
  t.not(wrong.code, 0);
  t.regex(wrong.stderr, /Authentication failed|Invalid username or token/);
  const basic = `Basic ${Buffer.from(`x-access-token:${token}`).toString('base64')}`;
  t.is(
    (await call(`${cloneUrl}/info/refs?service=git-receive-pack`, { headers: { authorization: basic } })).status,
    200,
  );
  await call(`${s.api}/applications/${client.client_id}/token`, {
    method: 'DELETE',
    headers: {
      authorization: `Basic ${Buffer.from(`${client.client_id}:${client.client_secret}`).toString('base64')}`,
    },
    json: { access_token: token },
  });
  const revoked = await call(`${cloneUrl}/info/refs?service=git-receive-pack`, { headers: { authorization: basic } });
  t.is(revoked.status, 401);
  t.is(revoked.headers.get('www-authenticate'), 'Basic realm="GitHub"');
});

test('push to someone else\'s repository → 403 "Permission to … denied to …"', async (t) => {
  const s = await startSandbox(t);
  const owner = await tokenFor(s, 'owner1', 'repo');
  const intruder = await tokenFor(s, 'intruder', 'repo');
  const cloneUrl = await newRepo(s, owner, 'mine');
  const work = await workTree({ 'a.txt': 'a' });
  const push = await gitCli(work, ['push', cloneUrl, 'main'], intruder);
  t.not(push.code, 0);
  t.regex(push.stderr, /Permission to owner1\/mine\.git denied to intruder\./);
  t.regex(push.stderr, /403/);
});

test("push touching .github/workflows without the workflow scope → refused with GitHub's message; with it → accepted", async (t) => {
  const s = await startSandbox(t);
  const token = await tokenFor(s, 'flow', 'repo');
  const cloneUrl = await newRepo(s, token, 'ci');
  const work = await workTree({ 'README.md': 'x', '.github/workflows/ci.yml': 'on: push\n' });
  const refused = await gitCli(work, ['push', cloneUrl, 'main'], token);
  t.not(refused.code, 0);
  t.regex(
    refused.stderr,
    /refusing to allow an OAuth App to create or update workflow `\.github\/workflows\/ci\.yml` without `workflow` scope/,
  );
  t.is((await call(`${s.api}/repos/flow/ci/git/ref/heads/main`, { headers: bearer(token) })).status, 409);
  const allowed = await tokenFor(s, 'flow', 'repo workflow');
  const pushed = await gitCli(work, ['push', cloneUrl, 'main'], allowed);
  t.is(pushed.code, 0, pushed.stderr);
});

test('isomorphic-git push with onAuth, then clone back → same commit and bytes', async (t) => {
  const s = await startSandbox(t);
  const token = await tokenFor(s, 'iso', 'repo');
  const cloneUrl = await newRepo(s, token, 'iso-repo');
  const dir = await mkdtemp(join(tmpdir(), 'sandbox-iso-'));
  await git.init({ fs, dir, defaultBranch: 'main' });
  const content = randomBytes(100_000);
  await fs.promises.writeFile(join(dir, 'bin.dat'), content);
  await git.add({ fs, dir, filepath: 'bin.dat' });
  const sha = await git.commit({ fs, dir, message: 'iso', author: { name: 'Iso', email: 'iso@example.com' } });
  const onAuth = () => ({ username: 'x-access-token', password: token });
  const result = await git.push({
    fs,
    http,
    dir,
    url: cloneUrl,
    ref: 'main',
    onAuth,
    headers: { 'user-agent': 'git/isomorphic-git' },
  });
  t.true(result.ok);
  const back = await mkdtemp(join(tmpdir(), 'sandbox-iso-clone-'));
  await git.clone({ fs, http, dir: back, url: cloneUrl, onAuth, singleBranch: true });
  t.is(await git.resolveRef({ fs, dir: back, ref: 'HEAD' }), sha);
  t.true((await fs.promises.readFile(join(back, 'bin.dat'))).equals(content));
  // A wrong token: isomorphic-git sees the 401 and asks onAuthFailure.
  let askedAgain = false;
  await t.throwsAsync(
    git.push({
      fs,
      http,
      dir,
      url: cloneUrl,
      ref: 'main',
      force: true,
      onAuth: () => ({ username: 'x-access-token', password: 'gho_bad' }),
      onAuthFailure: () => {
        askedAgain = true;
        return { cancel: true };
      },
    }),
  );
  t.true(askedAgain);
});
