import { randomBytes } from 'node:crypto';
import type { Context } from 'koa';
import { AppError, type Clock } from '@gatehouse/service-kit';
import type { MirrorClient, OAuthPurpose } from './mirror-client.js';
import { sessionOf, type GithubFlow } from './session/session.js';
import { callOf, seeOther } from './signed-in.js';

/** Matches the mirror's state lifetime: an older flow is refused here without asking it. */
export const flowLifetimeMs = 10 * 60_000;

export interface FlowDeps {
  mirror: MirrorClient;
  clock: Clock;
  /** Origin of GITHUB_OAUTH_URL: the only place a browser is sent to authorize. */
  oauthOrigin: string;
}

/**
 * Starts a GitHub authorization for this browser: a fresh binding kept in
 * the session (replacing an unfinished one), the state kept by the mirror,
 * and a redirect to GitHub.
 */
export async function startGithubFlow(
  ctx: Context,
  deps: FlowDeps,
  flow: { purpose: OAuthPurpose; private: boolean; next: string },
): Promise<void> {
  const session = sessionOf(ctx);
  const binding = randomBytes(32).toString('base64url');
  const authorizationUrl = await deps.mirror.startOAuth(
    { purpose: flow.purpose, binding, private: flow.private, ...(session.user ? { userId: session.user.userId } : {}) },
    callOf(ctx),
  );
  let target: URL;
  try {
    target = new URL(authorizationUrl);
  } catch (cause) {
    throw new AppError('service_unavailable', {
      cause,
      message: 'The mirror service gave an unusable authorization address.',
    });
  }
  if (target.origin !== deps.oauthOrigin) {
    throw new AppError('service_unavailable', { message: `The authorization address is not on ${deps.oauthOrigin}.` });
  }
  const started: GithubFlow = { binding, ...flow, startedAt: deps.clock.now().getTime() };
  session.github = started;
  seeOther(ctx, target.toString());
}

/** Takes the flow out of the session (single use here too); undefined when none, or too old. */
export function takeGithubFlow(ctx: Context, clock: Clock): GithubFlow | undefined {
  const session = sessionOf(ctx);
  const flow = session.github;
  delete session.github;
  if (!flow || clock.now().getTime() - flow.startedAt > flowLifetimeMs) return undefined;
  return flow;
}

export type FailureKind =
  'state' | 'denied' | 'exchange' | 'scope' | 'unavailable' | 'email_in_use' | 'already_linked' | 'other';

/** The mirror's (and auth's) refusal codes, as the failure page's kinds. */
export function failureKind(code: string): FailureKind {
  const kinds: Record<string, FailureKind> = {
    oauth_state_invalid: 'state',
    oauth_access_denied: 'denied',
    oauth_exchange_failed: 'exchange',
    oauth_scope_insufficient: 'scope',
    github_unavailable: 'unavailable',
    service_unavailable: 'unavailable',
    github_email_in_use: 'email_in_use',
    github_already_linked: 'already_linked',
  };
  return kinds[code] ?? 'other';
}
