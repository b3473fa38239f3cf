import test from 'ava';
import { ManualClock } from '@gatehouse/service-kit';
import { call, confirmedAccount, newAccount, startAuth, type Harness } from './helpers/harness.js';

// Security case 63: every path that mails an address shares one limit of a mail a minute, and still answers 202.

const queuedTo = async (h: Harness, to: string) =>
  (
    await h.database.db.query<{ subject: string }>(
      'SELECT subject FROM mail_outbox WHERE lower(to_address) = lower($1) ORDER BY id',
      [to],
    )
  ).rows.map((r) => r.subject);

test('signup with a registered address 30 times in a minute → 202 each time, one notice mailed', async (t) => {
  const clock = new ManualClock(Date.now());
  const h = await startAuth(t, { clock });
  const owner = await confirmedAccount(h);
  for (let i = 0; i < 30; i++) {
    const res = await call(h.url, 'POST', '/v1/signup', newAccount({ email: owner.email }));
    t.is(res.status, 202);
    t.is(res.body.status, 'confirmation_sent');
  }
  t.deepEqual((await queuedTo(h, owner.email)).filter((s) => /Someone tried/.test(s)).length, 1);
  clock.advance(61_000);
  t.is((await call(h.url, 'POST', '/v1/signup', newAccount({ email: owner.email }))).status, 202);
  t.deepEqual((await queuedTo(h, owner.email)).filter((s) => /Someone tried/.test(s)).length, 2);
});

test('a signup notice, then forgot and resend for the same address within the minute → 429, no second mail', async (t) => {
  const clock = new ManualClock(Date.now());
  const h = await startAuth(t, { clock });
  const owner = await confirmedAccount(h);
  t.is((await call(h.url, 'POST', '/v1/signup', newAccount({ email: owner.email.toUpperCase() }))).status, 202);
  const forgot = await call(h.url, 'POST', '/v1/password/forgot', { email: owner.email });
  t.is(forgot.status, 429);
  t.is((await call(h.url, 'POST', '/v1/email/resend', { email: owner.email })).status, 429);
  t.deepEqual(await queuedTo(h, owner.email), [
    'Confirm your email address',
    'Someone tried to sign up with your email address',
  ]);
});

test('forgot, then a signup with that registered address within the minute → 202 and no notice', async (t) => {
  const clock = new ManualClock(Date.now());
  const h = await startAuth(t, { clock });
  const owner = await confirmedAccount(h);
  t.is((await call(h.url, 'POST', '/v1/password/forgot', { email: owner.email })).status, 202);
  t.is((await call(h.url, 'POST', '/v1/signup', newAccount({ email: owner.email }))).status, 202);
  t.deepEqual(await queuedTo(h, owner.email), ['Confirm your email address', 'Reset your password']);
});

test('signup with a new address, then resend at once → 429, the same as for a registered address', async (t) => {
  const clock = new ManualClock(Date.now());
  const h = await startAuth(t, { clock });
  const owner = await confirmedAccount(h);
  const fresh = newAccount();
  t.is((await call(h.url, 'POST', '/v1/signup', fresh)).status, 202);
  t.is((await call(h.url, 'POST', '/v1/signup', newAccount({ email: owner.email }))).status, 202);
  const resendFresh = await call(h.url, 'POST', '/v1/email/resend', { email: fresh.email });
  const resendOwner = await call(h.url, 'POST', '/v1/email/resend', { email: owner.email });
  t.is(resendFresh.status, 429);
  t.is(resendOwner.status, 429);
  t.is(resendFresh.headers.get('retry-after'), resendOwner.headers.get('retry-after'));
});

test('20 requests racing for one address’s minute → exactly one wins; the others wait the minute out', async (t) => {
  const h = await startAuth(t, { clock: new ManualClock(Date.now()) });
  const waits = await Promise.all(
    Array.from({ length: 20 }, () => h.runtime.deps.throttle.claim('mail:race@example.com', 60_000)),
  );
  t.is(waits.filter((w) => w === 0).length, 1);
  t.true(waits.every((w) => w === 0 || w === 60));
});
