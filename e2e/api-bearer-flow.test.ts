// Journey (a): an API client with curl-like calls through the front door:
// signup → mail → confirm → token → /me → logout → /me refused.
import test from 'ava';
import { api, linkFromMail, uniqueUser, waitForMail } from './support/index.js';
import { assertEdgeHeaders } from './support/edge-headers.js';

test('API client: signup, confirm from the mail, token, me, logout → me gives 401 invalid_token', async (t) => {
  const user = uniqueUser('api');

  const signup = await api('/api/auth/v1/signup', { json: user });
  t.is(signup.status, 202);
  t.like(signup.body, { status: 'confirmation_sent' });
  assertEdgeHeaders(t, signup.headers, 'signup');

  const unconfirmed = await api('/api/auth/v1/token', {
    form: { grant_type: 'password', username: user.username, password: user.password },
  });
  t.is(unconfirmed.status, 403, 'login before confirming');
  t.is((unconfirmed.body as { code: string }).code, 'email_not_confirmed');

  const mail = await waitForMail({ to: user.email, subject: /confirm/i });
  const link = new URL(linkFromMail(mail, '/confirm-email'));
  const token = link.searchParams.get('token');
  t.regex(token ?? '', /^[A-Za-z0-9_-]{20,}$/, 'the link carries a long random token');

  // The token alone (what a mail scanner has) confirms nothing; with the password it does.
  const bare = await api('/api/auth/v1/email/confirm', { json: { token } });
  t.is(bare.status, 403);
  t.is((bare.body as { code: string }).code, 'confirmation_proof_required');
  const confirm = await api('/api/auth/v1/email/confirm', { json: { token, password: user.password } });
  t.is(confirm.status, 200);
  const confirmed = (confirm.body as { user: Record<string, unknown> }).user;
  t.like(confirmed, { username: user.username, email: user.email, email_verified: true });

  const login = await api('/api/auth/v1/token', {
    form: { grant_type: 'password', username: user.username, password: user.password },
  });
  t.is(login.status, 200);
  const tokens = login.body as { access_token: string; token_type: string; expires_in: number; refresh_token: string };
  t.is(tokens.token_type, 'Bearer');
  t.true(tokens.expires_in > 0);
  t.truthy(tokens.refresh_token);
  t.is(login.headers.get('cache-control'), 'no-store', 'tokens are never cached');

  const me = await api('/api/auth/v1/me', { token: tokens.access_token });
  t.is(me.status, 200);
  t.like(me.body as object, { id: confirmed.id, username: user.username, email: user.email, email_verified: true });
  assertEdgeHeaders(t, me.headers, 'me');

  const logout = await api('/api/auth/v1/logout', { token: tokens.access_token, json: { scope: 'local' } });
  t.is(logout.status, 204);

  const after = await api('/api/auth/v1/me', { token: tokens.access_token });
  t.is(after.status, 401);
  t.is((after.body as { code: string }).code, 'invalid_token');
  assertEdgeHeaders(t, after.headers, 'me after logout');
});

test('the confirmation mail links to the web page on the public URL', async (t) => {
  const user = uniqueUser('mail');
  t.is((await api('/api/auth/v1/signup', { json: user })).status, 202);
  const mail = await waitForMail({ to: user.email, subject: /confirm/i });
  const link = mail.links.map((l) => new URL(l)).find((l) => l.pathname === '/confirm-email');
  t.truthy(link, `a /confirm-email link in: ${mail.text}`);
  // The page it opens is web's, through the front door.
  const page = await api(linkFromMail(mail, '/confirm-email'));
  t.is(page.status, 200);
  t.regex(page.headers.get('content-type') ?? '', /text\/html/);
});
