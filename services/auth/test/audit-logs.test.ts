import test from 'ava';
import { bearer, call, confirmedAccount, login, refresh, startAuth } from './helpers/harness.js';

test('a full session → audit rows with user and ip, and neither passwords nor tokens in logs or audit', async (t) => {
  const h = await startAuth(t);
  const account = await confirmedAccount(h, { password: 'unmistakable passphrase 4711' });
  await call(h.url, 'POST', '/v1/token', {
    grant_type: 'password',
    username: account.username,
    password: 'a wrong passphrase 0815',
  });
  const tokens = await login(h, account, { 'x-forwarded-for': '198.51.100.7' });
  const rotated = await refresh(h, tokens.refresh_token);
  await call(h.url, 'POST', '/v1/logout', {}, bearer(String(rotated.body.access_token)));

  const { rows } = await h.database.db.query<{
    event: string;
    user_id: string | null;
    ip: string | null;
    details: unknown;
  }>('SELECT event, user_id, ip, details FROM audit_events ORDER BY id');
  t.deepEqual(
    rows.map((r) => r.event),
    ['signup', 'email_confirmed', 'login_failed', 'login_succeeded', 'logout'],
  );
  t.true(rows.every((r) => typeof r.user_id === 'string'));
  t.is(rows.find((r) => r.event === 'login_succeeded')?.ip, '198.51.100.7');

  const everything = h.logs.text() + JSON.stringify(rows);
  for (const secret of [
    account.password,
    'a wrong passphrase 0815',
    tokens.access_token,
    tokens.refresh_token,
    String(rotated.body.refresh_token),
  ]) {
    t.false(everything.includes(secret), 'a secret reached the logs or the audit table');
  }
  t.true(h.logs.lines().some((l) => l.audit === 'login_failed' && typeof l.user_id === 'string'));
});

test('a username with CRLF → refused, so it can never forge a log line', async (t) => {
  const h = await startAuth(t);
  const res = await call(h.url, 'POST', '/v1/signup', {
    username: 'ann\n{"level":"info"}',
    email: 'a@example.com',
    password: 'a long passphrase',
  });
  t.is(res.status, 400);
  for (const line of h.logs.text().split('\n').filter(Boolean)) t.notThrows(() => JSON.parse(line));
});
