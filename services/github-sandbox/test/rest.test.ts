import test from 'ava';
import { bearer, call, startSandbox, tokenFor, type Sandbox } from './helpers/sandbox.js';
import { unissuedToken } from './helpers/unissued-token.js';

const createRepo = (s: Sandbox, token: string, json: Record<string, unknown>) =>
  call(`${s.api}/user/repos`, { method: 'POST', headers: bearer(token), json });

test("GET /user → the token's user with numeric id, scopes and rate headers", async (t) => {
  const s = await startSandbox(t);
  const token = await tokenFor(s, 'mona', 'repo workflow');
  const res = await call(`${s.api}/user`, { headers: { authorization: `token ${token}` } });
  t.is(res.status, 200);
  t.like(res.body, { login: 'mona', type: 'User' });
  t.is(typeof (res.body as { id: unknown }).id, 'number');
  t.is(res.headers.get('x-oauth-scopes'), 'repo, workflow');
  t.is(res.headers.get('x-accepted-oauth-scopes'), '');
  t.regex(res.headers.get('x-github-request-id')!, /^[0-9A-F]+(:[0-9A-F]+){4}$/);
  t.is(res.headers.get('x-ratelimit-limit'), '5000');
  t.is(res.headers.get('x-ratelimit-remaining'), '4999');
  t.is(res.headers.get('x-ratelimit-used'), '1');
  t.is(res.headers.get('x-ratelimit-resource'), 'core');
  t.regex(res.headers.get('x-ratelimit-reset')!, /^\d{10}$/);
});

test('rate limit counts real use per token; GET /rate_limit reports it without counting itself', async (t) => {
  const s = await startSandbox(t);
  const a = await tokenFor(s, 'counter', 'repo');
  const b = await tokenFor(s, 'counter', 'public_repo');
  for (let i = 0; i < 3; i += 1) await call(`${s.api}/user`, { headers: bearer(a) });
  const limit = await call(`${s.api}/rate_limit`, { headers: bearer(a) });
  t.like(limit.body, { rate: { limit: 5000, used: 3, remaining: 4997 }, resources: { core: { used: 3 } } });
  t.is(limit.headers.get('x-ratelimit-remaining'), '4997');
  t.like((await call(`${s.api}/rate_limit`, { headers: bearer(a) })).body, { rate: { used: 3 } });
  t.like((await call(`${s.api}/rate_limit`, { headers: bearer(b) })).body, { rate: { used: 0 } });
});

test("past the hourly limit → 403 with x-ratelimit-remaining 0 and GitHub's message", async (t) => {
  const s = await startSandbox(t, { env: { RATE_LIMIT_PER_HOUR: '2' } });
  const token = await tokenFor(s, 'greedy', 'repo');
  await call(`${s.api}/user`, { headers: bearer(token) });
  await call(`${s.api}/user`, { headers: bearer(token) });
  const res = await call(`${s.api}/user`, { headers: bearer(token) });
  t.is(res.status, 403);
  t.is(res.headers.get('x-ratelimit-remaining'), '0');
  t.regex((res.body as { message: string }).message, /^API rate limit exceeded for user ID \d+\./);
});

test("no User-Agent → 403 with GitHub's administrative-rules text", async (t) => {
  const s = await startSandbox(t);
  const res = await fetch(`${s.api}/rate_limit`, { headers: { 'user-agent': '' } });
  t.is(res.status, 403);
  t.regex(
    await res.text(),
    /^Request forbidden by administrative rules\. Please make sure your request has a User-Agent header/,
  );
});

test("bad, revoked or missing token → 401 with GitHub's bodies", async (t) => {
  const s = await startSandbox(t);
  const bad = await call(`${s.api}/user`, { headers: bearer(unissuedToken('notarealtoken')) });
  t.is(bad.status, 401);
  t.deepEqual(bad.body, {
    message: 'Bad credentials',
    documentation_url: 'https://docs.github.com/rest',
    status: '401',
  });
  // A bad token is refused even where no token is needed.
  t.is((await call(`${s.api}/rate_limit`, { headers: bearer('nope') })).status, 401);
  const missing = await call(`${s.api}/user`);
  t.is(missing.status, 401);
  t.deepEqual(missing.body, {
    message: 'Requires authentication',
    documentation_url: 'https://docs.github.com/rest/users/users#get-the-authenticated-user',
    status: '401',
  });
});

test("POST /user/repos → 201, Location, clone_url on the web host; same name again → GitHub's exact 422", async (t) => {
  const s = await startSandbox(t);
  const token = await tokenFor(s, 'maker', 'public_repo');
  const res = await createRepo(s, token, { name: 'hello world', description: 'Hi' });
  t.is(res.status, 201);
  t.like(res.body, {
    name: 'hello-world',
    full_name: 'maker/hello-world',
    private: false,
    description: 'Hi',
    default_branch: 'main',
  });
  t.is(res.headers.get('location'), `${s.api}/repos/maker/hello-world`);
  t.is((res.body as { clone_url: string }).clone_url, `${s.url}/maker/hello-world.git`);
  t.is((res.body as { html_url: string }).html_url, `${s.url}/maker/hello-world`);
  t.is(res.headers.get('x-accepted-oauth-scopes'), 'public_repo, repo');
  const again = await createRepo(s, token, { name: 'Hello-World' });
  t.is(again.status, 422);
  t.deepEqual(again.body, {
    message: 'Repository creation failed.',
    errors: [{ resource: 'Repository', code: 'custom', field: 'name', message: 'name already exists on this account' }],
    documentation_url: 'https://docs.github.com/rest/repos/repos#create-a-repository-for-the-authenticated-user',
    status: '422',
  });
});

test('POST /user/repos without name → 422 "name wasn\'t supplied"; without the scope → 404', async (t) => {
  const s = await startSandbox(t);
  const token = await tokenFor(s, 'maker2', 'public_repo');
  const missing = await createRepo(s, token, { description: 'x' });
  t.is(missing.status, 422);
  t.is((missing.body as { message: string }).message, 'Invalid request.\n\n"name" wasn\'t supplied.');
  const noScope = await tokenFor(s, 'maker2', '');
  t.is((await createRepo(s, noScope, { name: 'x' })).status, 404);
  // public_repo is not enough for a private repository.
  t.is((await createRepo(s, token, { name: 'secret', private: true })).status, 404);
});

test('GET /repos/{owner}/{repo} → 200; private without repo scope, or unknown → 404 Not Found', async (t) => {
  const s = await startSandbox(t);
  const owner = await tokenFor(s, 'keeper', 'repo');
  await createRepo(s, owner, { name: 'open' });
  await createRepo(s, owner, { name: 'closed', private: true });
  t.like((await call(`${s.api}/repos/KEEPER/Open`)).body, { full_name: 'keeper/open' });
  t.like((await call(`${s.api}/repos/keeper/closed`, { headers: bearer(owner) })).body, {
    private: true,
    visibility: 'private',
  });
  const weak = await tokenFor(s, 'keeper', 'public_repo');
  const hidden = await call(`${s.api}/repos/keeper/closed`, { headers: bearer(weak) });
  t.is(hidden.status, 404);
  t.deepEqual(hidden.body, {
    message: 'Not Found',
    documentation_url: 'https://docs.github.com/rest/repos/repos#get-a-repository',
    status: '404',
  });
  t.is((await call(`${s.api}/repos/keeper/nothing`)).status, 404);
});

test("GET /user/repos → paginated with GitHub's Link header; per_page capped at 100", async (t) => {
  const s = await startSandbox(t);
  const token = await tokenFor(s, 'lister', 'repo');
  for (const name of ['e', 'a', 'd', 'b', 'c']) await createRepo(s, token, { name, private: name === 'd' });
  const first = await call(`${s.api}/user/repos?per_page=2`, { headers: bearer(token) });
  t.deepEqual(
    (first.body as { name: string }[]).map((r) => r.name),
    ['a', 'b'],
  );
  t.is(
    first.headers.get('link'),
    `<${s.api}/user/repos?per_page=2&page=2>; rel="next", <${s.api}/user/repos?per_page=2&page=3>; rel="last"`,
  );
  const middle = await call(`${s.api}/user/repos?per_page=2&page=2`, { headers: bearer(token) });
  t.deepEqual(
    (middle.body as { name: string }[]).map((r) => r.name),
    ['c', 'd'],
  );
  t.is(
    middle.headers.get('link'),
    `<${s.api}/user/repos?per_page=2&page=1>; rel="prev", <${s.api}/user/repos?per_page=2&page=3>; rel="next", ` +
      `<${s.api}/user/repos?per_page=2&page=3>; rel="last", <${s.api}/user/repos?per_page=2&page=1>; rel="first"`,
  );
  const all = await call(`${s.api}/user/repos?per_page=500`, { headers: bearer(token) });
  t.is((all.body as unknown[]).length, 5);
  t.is(all.headers.get('link'), null);
  const privateOnly = await call(`${s.api}/user/repos?visibility=private`, { headers: bearer(token) });
  t.deepEqual(
    (privateOnly.body as { name: string }[]).map((r) => r.name),
    ['d'],
  );
  const desc = await call(`${s.api}/user/repos?sort=full_name&direction=desc`, { headers: bearer(token) });
  t.deepEqual(
    (desc.body as { name: string }[]).map((r) => r.name),
    ['e', 'd', 'c', 'b', 'a'],
  );
  const created = await call(`${s.api}/user/repos?sort=created`, { headers: bearer(token) });
  t.deepEqual(
    (created.body as { name: string }[]).map((r) => r.name),
    ['c', 'b', 'd', 'a', 'e'],
  );
  const notOwner = await call(`${s.api}/user/repos?affiliation=collaborator`, { headers: bearer(token) });
  t.deepEqual(notOwner.body, []);
  // Without the repo scope private repositories are left out.
  const weak = await tokenFor(s, 'lister', 'public_repo');
  t.false((await call(`${s.api}/user/repos`, { headers: bearer(weak) })).text.includes('"name":"d"'));
  t.is((await call(`${s.api}/user/repos?visibility=secret`, { headers: bearer(token) })).status, 422);
  t.is((await call(`${s.api}/user/repos?type=all&visibility=all`, { headers: bearer(token) })).status, 422);
});

test('GET git/ref on an empty repository → 409 "Git Repository is empty."; with auto_init → the ref', async (t) => {
  const s = await startSandbox(t);
  const token = await tokenFor(s, 'reffer', 'repo');
  await createRepo(s, token, { name: 'empty' });
  const empty = await call(`${s.api}/repos/reffer/empty/git/ref/heads/main`, { headers: bearer(token) });
  t.is(empty.status, 409);
  t.deepEqual(empty.body, {
    message: 'Git Repository is empty.',
    documentation_url: 'https://docs.github.com/rest/git/refs#get-a-reference',
    status: '409',
  });
  await createRepo(s, token, { name: 'started', auto_init: true });
  const ref = await call(`${s.api}/repos/reffer/started/git/ref/heads/main`, { headers: bearer(token) });
  t.is(ref.status, 200);
  t.like(ref.body, { ref: 'refs/heads/main', object: { type: 'commit' } });
  t.regex((ref.body as { object: { sha: string } }).object.sha, /^[0-9a-f]{40}$/);
  t.is((await call(`${s.api}/repos/reffer/started/git/ref/heads/nope`, { headers: bearer(token) })).status, 404);
});

test("unknown REST path → GitHub's 404 JSON", async (t) => {
  const s = await startSandbox(t);
  const res = await call(`${s.api}/nothing/here`);
  t.is(res.status, 404);
  t.like(res.body, { message: 'Not Found' });
});
