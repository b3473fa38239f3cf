import test from 'ava';
import { bearer, call, startSandbox, tokenFor } from './helpers/sandbox.js';

test('root page → lists users and their repositories; a user page and an empty repository page render', async (t) => {
  const s = await startSandbox(t);
  const token = await tokenFor(s, 'viewer', 'repo');
  await call(`${s.api}/user/repos`, {
    method: 'POST',
    headers: bearer(token),
    json: { name: 'shown', description: 'A <b>tag</b>' },
  });
  const root = await call(`${s.url}/`);
  t.is(root.status, 200);
  t.regex(root.headers.get('content-type')!, /text\/html/);
  t.regex(root.text, /href="\/viewer\/shown"/);
  t.regex(root.headers.get('content-security-policy')!, /default-src 'none'/);
  const user = await call(`${s.url}/viewer`);
  t.regex(user.text, /A &lt;b&gt;tag&lt;\/b&gt;/);
  const repo = await call(`${s.url}/viewer/shown`);
  t.regex(repo.text, /This repository is empty/);
  t.regex(repo.text, new RegExp(`${s.url}/viewer/shown\\.git`));
  t.is((await call(`${s.url}/nobody-here`)).status, 404);
});
