import test, { type ExecutionContext } from 'ava';
import { captureLogs, listen, postgresServer, testNeeding, eventually } from '@gatehouse/testkit';
import { createWebRuntime, type WebRuntime } from '../src/index.js';
import { Browser } from './helpers/browser.js';
import { confirmedPerson, loggedIn, startStack, type Stack } from './helpers/stack.js';

/** A second web replica beside the stack's own, on the same session database. */
async function secondReplica(t: ExecutionContext, stack: Stack) {
  if (!('db' in stack.sessionBackend)) throw new Error('expected Postgres sessions');
  const web = await createWebRuntime(stack.config, { db: stack.sessionBackend.db, logger: captureLogs('web').logger });
  const server = await listen(web.app);
  t.teardown(async () => {
    await server.close();
    await web.close();
  });
  return { web, url: server.url };
}

const server = await postgresServer();
const needsPostgres = testNeeding(server.url === undefined ? server.why : undefined);
const cacheActive = (web: WebRuntime) => web.sessionCache?.stats().active === true;

needsPostgres(
  'replica B serves a session from memory, replica A logs it out → B no longer knows it, well before the cache age',
  async (t) => {
    const stack = await startStack(t);
    t.truthy(stack.web.sessionCache);
    const b = await secondReplica(t, stack);
    t.true(await eventually(() => cacheActive(b.web)));
    const person = await confirmedPerson(stack);
    const onA = await loggedIn(stack, person);
    const id = onA.jar.get('gatehouse')!;
    const onB = new Browser(b.url);
    onB.jar.set('gatehouse', id);

    t.is((await onB.get('/account')).status, 200);
    // Announcements of the login's writes may still be on their way to B, each dropping what B keeps.
    const keptOnB = async () => {
      await b.web.deps.store.get(id);
      const { hits } = b.web.sessionCache!.stats();
      return (await b.web.deps.store.get(id)) !== undefined && b.web.sessionCache!.stats().hits === hits + 1;
    };
    t.true(await eventually(keptOnB), 'B keeps the session');

    t.is((await onA.post('/logout', {})).status, 303);
    t.true(
      await eventually(async () => (await b.web.deps.store.get(id)) === undefined, 3000),
      'B still serves the session',
    );
    t.is((await onB.get('/account')).status, 303);
  },
);

test('SESSION_CACHE_ENTRIES=0 → no session cache; every view reads Postgres', async (t) => {
  const stack = await startStack(t, { webEnv: { SESSION_CACHE_ENTRIES: '0' } });
  t.is(stack.web.sessionCache, undefined);
  const person = await confirmedPerson(stack);
  const browser = await loggedIn(stack, person);
  t.is((await browser.get('/account')).status, 200);
});
