import test from 'ava';
import { safeMethodPaths, tableDigests, walkSafeMethods } from '@gatehouse/testkit';
import { connect } from './helpers/flows.js';
import { startHarness } from './helpers/harness.js';
import { drain, startMirror } from './helpers/jobs.js';

// Security case 59: no route changes state on GET or HEAD. The routes are read from the routers; each is called
// with a connected person's token (and a finished job's id), and the mirror's tables and GitHub's are compared.
// Two append-only ledgers are left out, because a read is meant to land in them: the mirror records every use of
// a stored GitHub token (github_token_uses), and GitHub meters every call against the rate limit.
const ledgers = { mirror: ['github_token_uses'], github: ['sandbox_rate_usage'] };

test('GET and HEAD on every mirror route, connected, with a real job id → no table changes, here or at GitHub', async (t) => {
  const h = await startHarness(t);
  const { token } = await connect(h, 'u1', 'octo');
  const id = await startMirror(h, token);
  await drain(h.mirror);
  const paths = safeMethodPaths(h.mirror.app, { id });
  t.true(paths.includes('/v1/github/connection') && paths.includes(`/v1/mirrors/${id}`), paths.join(', '));
  const walk = await walkSafeMethods({
    baseUrl: h.url,
    paths,
    headers: { authorization: `Bearer ${token}` },
    state: async () => {
      const mirror = await tableDigests(h.database.db, ledgers.mirror);
      const github = await tableDigests(h.github.runtime.deps.db, ledgers.github);
      return {
        ...Object.fromEntries(Object.entries(mirror).map(([k, v]) => [`mirror.${k}`, v])),
        ...Object.fromEntries(Object.entries(github).map(([k, v]) => [`github.${k}`, v])),
      };
    },
  });
  t.is(walk.visited.length, paths.length * 2);
  t.deepEqual(walk.changed, []);
});
