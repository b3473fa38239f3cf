import test from 'ava';
import { safeMethodPaths, tableDigests, walkSafeMethods } from '@gatehouse/testkit';
import { admin, bearer, call, startSandbox, tokenFor } from './helpers/sandbox.js';

// Security case 59, for the GitHub stand-in: no route changes state on GET or HEAD. The routes are read from the
// routers and called as a user and as the admin; the rate-limit ledger is left out, because GitHub meters reads.

test('GET and HEAD on every stand-in route, as a user and as the admin → no table changes', async (t) => {
  const s = await startSandbox(t);
  const token = await tokenFor(s, 'mona', 'repo');
  const created = await call(`${s.api}/user/repos`, {
    method: 'POST',
    headers: { ...bearer(token), 'user-agent': 'walk' },
    json: { name: 'walk', auto_init: true },
  });
  t.is(created.status, 201);
  const paths = safeMethodPaths(s.runtime.app, { owner: 'mona', repo: 'walk', ref: 'heads/main', id: '1' });
  t.true(paths.includes('/api/v3/user') && paths.includes('/login/oauth/authorize'), paths.join(', '));
  for (const credential of [bearer(token), admin]) {
    const walk = await walkSafeMethods({
      baseUrl: s.url,
      paths,
      headers: { ...credential, 'user-agent': 'walk', accept: 'application/json' },
      state: () => tableDigests(s.runtime.deps.db, ['sandbox_rate_usage']),
    });
    t.is(walk.visited.length, paths.length * 2);
    t.deepEqual(walk.changed, []);
  }
});
