import { AppError } from '@gatehouse/service-kit';
import type { MirrorDeps } from '../deps.js';
import { GithubError } from '../github/github-error.js';
import { insertOauthState, takeOauthState } from '../store/oauth-states.js';
import { upsertConnection } from '../store/connections.js';
import { recordTokenUse } from '../store/token-uses.js';
import { connectionAad } from './github-session.js';
import { codeChallenge, randomToken, sameHash, sha256 } from './pkce.js';
import { scopeFor, scopeSatisfies } from './scopes.js';

export const stateTtlMs = 10 * 60 * 1000;

type FlowDeps = Pick<MirrorDeps, 'db' | 'clock' | 'github' | 'cipher' | 'settings' | 'logger'>;

export interface StartInput {
  purpose: 'signin' | 'connect';
  user_id?: string | undefined;
  binding: string;
  private?: boolean | undefined;
  /** Started by an API client, which has no browser session for the callback to find. */
  api?: boolean | undefined;
}

/**
 * An API client's flow returns to its own callback page (GitHub accepts any subdirectory of
 * the registered callback URL), where web shows the person a completion code to hand back
 * to the client. The state carries the mark, so finishing can name the same redirect_uri.
 */
const apiStatePrefix = 'api_';

export const redirectUri = (settings: MirrorDeps['settings'], api = false) =>
  new URL(api ? '/github/callback/api' : '/github/callback', settings.publicUrl).toString();

/** Stores the attempt (hashes only, plus the PKCE verifier) and returns GitHub's authorize URL. */
export async function startOauth(deps: FlowDeps, input: StartInput): Promise<string> {
  if (input.purpose === 'connect' && !input.user_id) {
    throw new AppError('validation_failed', {
      errors: [{ field: 'user_id', code: 'user_id_required', message: 'Connect needs user_id.' }],
    });
  }
  const state = (input.api ? apiStatePrefix : '') + randomToken();
  const verifier = randomToken();
  const scope = scopeFor(input.purpose, input.private ?? false);
  await insertOauthState(deps.db, {
    state_hash: sha256(state),
    binding_hash: sha256(input.binding),
    purpose: input.purpose,
    user_id: input.purpose === 'connect' ? input.user_id! : null,
    code_verifier: verifier,
    scope,
    created_at: deps.clock.now(),
  });
  return deps.github.authorizeUrl({
    client_id: deps.github.options.clientId,
    redirect_uri: redirectUri(deps.settings, input.api),
    ...(scope ? { scope } : {}),
    state,
    code_challenge: codeChallenge(verifier),
    code_challenge_method: 'S256',
    allow_signup: 'true',
  });
}

export interface FinishInput {
  state?: string | undefined;
  code?: string | undefined;
  error?: string | undefined;
  error_description?: string | undefined;
  binding: string;
  /** When set (an API client's own completion), the flow must have been started for this user. */
  user_id?: string | undefined;
}

export type FinishResult =
  | { purpose: 'connect'; user_id: string; github: { id: number; login: string }; scope: string }
  | { purpose: 'signin'; github: { id: number; login: string; email?: string } };

interface GithubUser {
  id: number;
  login: string;
  email?: string | null;
}

/**
 * Completes a flow. The state is consumed first, whatever happens next, so a
 * callback can never be replayed; a state from another browser is refused
 * before any exchange, so an injected code gets nowhere.
 */
export async function finishOauth(deps: FlowDeps, input: FinishInput): Promise<FinishResult> {
  const row = input.state ? await takeOauthState(deps.db, sha256(input.state)) : undefined;
  const now = deps.clock.now();
  if (
    !row ||
    !sameHash(row.binding_hash, sha256(input.binding)) ||
    now.getTime() - new Date(row.created_at).getTime() > stateTtlMs ||
    (input.user_id !== undefined && row.user_id !== input.user_id)
  ) {
    throw new AppError('oauth_state_invalid');
  }
  if (input.error === 'access_denied') throw new AppError('oauth_access_denied');
  if (input.error || !input.code) throw new AppError('oauth_exchange_failed');

  const answer = await githubCall(() =>
    deps.github.exchangeCode({
      code: input.code!,
      redirect_uri: redirectUri(deps.settings, input.state!.startsWith(apiStatePrefix)),
      code_verifier: row.code_verifier,
    }),
  );
  // GitHub reports exchange errors with HTTP 200: look for `error` before `access_token`.
  if (answer.error !== undefined || typeof answer.access_token !== 'string' || !answer.access_token) {
    deps.logger.info(
      { github_error: typeof answer.error === 'string' ? answer.error : 'no_token' },
      'github code exchange refused',
    );
    throw new AppError('oauth_exchange_failed');
  }
  const token = answer.access_token;
  const scope = typeof answer.scope === 'string' ? answer.scope : '';
  if (!scopeSatisfies(scope, row.scope)) {
    await revokeToken(deps, token);
    throw new AppError('oauth_scope_insufficient');
  }
  const user = await githubCall(() => deps.github.api<GithubUser>('GET', '/user', { token }));
  const github = { id: user.body.id, login: user.body.login };
  if (row.purpose === 'signin') {
    // Sign-in needs the identity only: the token is not kept, so it is revoked at once.
    await revokeToken(deps, token);
    return { purpose: 'signin', github: { ...github, ...(user.body.email ? { email: user.body.email } : {}) } };
  }
  const userId = row.user_id!;
  await deps.db.transaction(async (tx) => {
    await upsertConnection(tx, {
      user_id: userId,
      github_id: String(github.id),
      login: github.login,
      scope,
      ...deps.cipher.seal(token, connectionAad(userId)),
      connected_at: now,
    });
    await recordTokenUse(tx, userId, {
      purpose: 'connect',
      endpoint: user.endpoint,
      status: user.status,
      request_id: user.requestId ?? null,
      at: now,
    });
  });
  return { purpose: 'connect', user_id: userId, github, scope };
}

async function githubCall<T>(fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    if (err instanceof GithubError && err.failure !== 'unavailable')
      throw new AppError('oauth_exchange_failed', { cause: err });
    throw new AppError('github_unavailable', { cause: err });
  }
}

/** Best effort: a token we will not keep should not stay alive at GitHub. */
async function revokeToken(deps: FlowDeps, token: string): Promise<void> {
  try {
    await deps.github.api('DELETE', `/applications/${encodeURIComponent(deps.github.options.clientId)}/token`, {
      appAuth: true,
      json: { access_token: token },
    });
  } catch (err) {
    deps.logger.warn({ err: (err as Error).message }, 'could not revoke an unused GitHub token');
  }
}
