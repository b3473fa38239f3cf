import type { Context, Middleware } from 'koa';
import type { Logger } from '@gatehouse/service-kit';
import type { SandboxDeps } from '../deps.js';
import { callerOf, credentialOf, type Caller } from '../oauth/token-auth.js';
import { scopeHeader } from '../oauth/scopes.js';
import { countRequest } from '../store/rate-usage.js';
import {
  badCredentials,
  docsUrl,
  GitHubFailure,
  primaryRateLimitMessage,
  userAgentRequiredText,
} from './github-error.js';

declare module 'koa' {
  interface DefaultState {
    caller?: Caller;
  }
}

export const anonymousLimit = 60;
const hourMs = 3600_000;

/** Rate subject of a request: its token, or its address when it has none (GitHub's 60 per hour). */
export const rateSubject = (ctx: Context) => (ctx.state.caller ? `token:${ctx.state.caller.token.id}` : `ip:${ctx.ip}`);

export function setRateHeaders(ctx: Context, limit: number, used: number, resetAt: Date): void {
  ctx.set('x-ratelimit-limit', String(limit));
  ctx.set('x-ratelimit-remaining', String(Math.max(0, limit - used)));
  ctx.set('x-ratelimit-reset', String(Math.ceil(resetAt.getTime() / 1000)));
  ctx.set('x-ratelimit-used', String(Math.min(used, limit)));
  ctx.set('x-ratelimit-resource', 'core');
}

/** Maps GitHubFailure to GitHub's JSON; anything unexpected becomes GitHub's bare 500, logged once here. */
export function apiErrors(logger: Logger): Middleware {
  return async (ctx, next) => {
    try {
      await next();
      if (ctx.status === 404 && ctx.body == null) throw new GitHubFailure(404, 'Not Found', docsUrl.rest);
    } catch (caught) {
      const failure = caught instanceof GitHubFailure ? caught : new GitHubFailure(500, 'Server Error', docsUrl.rest);
      if (!(caught instanceof GitHubFailure))
        logger.error({ req_id: ctx.state.requestId, err: caught }, 'request failed');
      ctx.status = failure.status;
      ctx.set(failure.headers);
      ctx.body = failure.body();
    }
  };
}

/**
 * What every REST answer goes through, in GitHub's order: User-Agent, then
 * credentials (a bad token is 401 even where none is needed), then the
 * primary rate limit, counted per token in the database.
 */
export function apiContext(
  deps: Pick<SandboxDeps, 'db' | 'clock' | 'settings'>,
  options: { uncounted: string[]; ownAuth: string[] },
): Middleware {
  return async (ctx, next) => {
    ctx.set('x-github-media-type', 'github.v3; format=json');
    ctx.set('x-github-api-version-selected', '2022-11-28');
    if (!ctx.get('user-agent')) {
      ctx.status = 403;
      ctx.type = 'text/plain; charset=utf-8';
      ctx.body = userAgentRequiredText;
      return;
    }
    if (!options.ownAuth.some((prefix) => ctx.path.startsWith(prefix))) {
      const credential = credentialOf(ctx.get('authorization'));
      if (credential.kind === 'malformed') throw badCredentials();
      if (credential.kind !== 'none') {
        const caller = await callerOf(deps, credential.kind === 'token' ? credential.token : credential.password);
        if (!caller) throw badCredentials();
        ctx.state.caller = caller;
        ctx.set('x-oauth-scopes', scopeHeader(caller.scopes));
        ctx.set('x-oauth-client-id', caller.token.client_id);
      }
    }
    ctx.set('x-accepted-oauth-scopes', '');
    if (!options.uncounted.includes(ctx.path)) {
      const limit = ctx.state.caller ? deps.settings.rateLimitPerHour : anonymousLimit;
      const window = await countRequest(deps.db, rateSubject(ctx), deps.clock.now(), hourMs);
      setRateHeaders(ctx, limit, window.used, window.reset_at);
      if (window.used > limit) {
        throw new GitHubFailure(
          403,
          primaryRateLimitMessage(ctx.state.caller?.user.id, ctx.state.githubRequestId ?? ''),
          docsUrl.primaryRateLimit,
        );
      }
    }
    await next();
  };
}
