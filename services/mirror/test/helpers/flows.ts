import { randomBytes } from 'node:crypto';
import { app, call, internal, type Harness } from './harness.js';

export const newBinding = () => randomBytes(24).toString('base64url');

export async function startFlow(h: Harness, body: Record<string, unknown>) {
  const res = await call(`${h.url}/v1/internal/oauth/start`, { method: 'POST', basic: internal, json: body });
  if (res.status !== 200) throw new Error(`start failed: ${res.status} ${JSON.stringify(res.body)}`);
  return new URL(res.body.authorization_url as string);
}

/** The person approves on the stand-in (its admin hook, as a browser's consent would), granting `scope`. */
export async function approve(h: Harness, authorizeUrl: URL, login: string, scope?: string) {
  const q = authorizeUrl.searchParams;
  const res = await h.github.admin('/oauth/authorize', {
    client_id: q.get('client_id'),
    login,
    scope: scope ?? q.get('scope') ?? '',
    redirect_uri: q.get('redirect_uri'),
    state: q.get('state'),
    code_challenge: q.get('code_challenge'),
  });
  if (res.status !== 200) throw new Error(`approve failed: ${res.status} ${JSON.stringify(res.body)}`);
  return res.body as { code: string; state: string };
}

export const finish = (h: Harness, body: Record<string, unknown>) =>
  call(`${h.url}/v1/internal/oauth/finish`, { method: 'POST', basic: internal, json: body });

/** A connected person: Gatehouse user id, GitHub login, and a bearer token for the public API. */
export async function connect(h: Harness, userId: string, login: string, options: { private?: boolean } = {}) {
  const binding = newBinding();
  const url = await startFlow(h, {
    purpose: 'connect',
    user_id: userId,
    binding,
    ...(options.private ? { private: true } : {}),
  });
  const { code, state } = await approve(h, url, login);
  const res = await finish(h, { state, code, binding });
  if (res.status !== 200) throw new Error(`finish failed: ${res.status} ${JSON.stringify(res.body)}`);
  return { token: h.verifier.issue(userId), github: res.body.github as { id: number; login: string } };
}

export { app };
