// Account set-up the API journeys share: a confirmed user and its tokens.
import type { ExecutionContext } from 'ava';
import type { Page } from 'playwright-core';
import type { TokenResponse as Tokens } from '@gatehouse/auth/wire';
import { api, linkFromMail, uniqueUser, url, waitForMail } from './index.js';

/** Signs up through the front door and confirms with the token from the mailed link. */
export async function confirmedUser(t: ExecutionContext, prefix = 'e2e') {
  const user = uniqueUser(prefix);
  const signup = await api('/api/auth/v1/signup', { json: user });
  t.is(signup.status, 202, `signup: ${JSON.stringify(signup.body)}`);
  const mail = await waitForMail({ to: user.email, subject: /confirm/i });
  const token = new URL(linkFromMail(mail, '/confirm-email')).searchParams.get('token');
  t.truthy(token, 'the confirmation link carries a token');
  const confirm = await api('/api/auth/v1/email/confirm', { json: { token, password: user.password } });
  t.is(confirm.status, 200, `confirm: ${JSON.stringify(confirm.body)}`);
  return user;
}

/** The password grant, form-encoded as `curl -d grant_type=password -d ...` sends it. */
export async function login(t: ExecutionContext, user: { username: string; password: string }): Promise<Tokens> {
  const response = await api('/api/auth/v1/token', {
    form: { grant_type: 'password', username: user.username, password: user.password },
  });
  t.is(response.status, 200, `token: ${JSON.stringify(response.body)}`);
  return response.body as Tokens;
}

/** Signs up through the pages, as a person would, and returns the link the confirmation mail carries. */
export async function signUpInBrowser(
  page: Page,
  person: { username: string; email: string; password: string },
  options: { mailTimeoutMs?: number } = {},
): Promise<string> {
  await page.goto(url('/signup'));
  await page.getByLabel('Username').fill(person.username);
  await page.getByLabel('Email').fill(person.email);
  await page.getByLabel('Password').fill(person.password);
  await page.getByRole('button', { name: 'Create account' }).click();
  await page.getByRole('heading', { name: 'Check your inbox' }).waitFor();
  const mail = await waitForMail({
    to: person.email,
    subject: /confirm/i,
    ...(options.mailTimeoutMs ? { timeoutMs: options.mailTimeoutMs } : {}),
  });
  return linkFromMail(mail, '/confirm-email');
}
