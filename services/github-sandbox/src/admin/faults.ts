import { setTimeout as sleep } from 'node:timers/promises';
import type { Context, Middleware } from 'koa';
import type { SandboxDeps } from '../deps.js';
import {
  badCredentials,
  docsUrl,
  GitHubFailure,
  primaryRateLimitMessage,
  secondaryRateLimitMessage,
} from '../api/github-error.js';
import { claimFault, type Fault } from '../store/faults.js';
import { adminPrefix } from './admin-auth.js';

function answer(ctx: Context, failure: GitHubFailure): void {
  ctx.status = failure.status;
  ctx.set(failure.headers);
  ctx.body = failure.body();
}

function failureOf(fault: Fault, ctx: Context, now: Date): GitHubFailure {
  const requestId = ctx.state.githubRequestId ?? '';
  switch (fault.kind) {
    case 'primary_rate_limit': {
      const reset = String(Math.ceil(now.getTime() / 1000) + 60);
      return new GitHubFailure(403, primaryRateLimitMessage(undefined, requestId), docsUrl.primaryRateLimit, {
        headers: {
          'x-ratelimit-limit': '5000',
          'x-ratelimit-remaining': '0',
          'x-ratelimit-used': '5000',
          'x-ratelimit-reset': reset,
          'x-ratelimit-resource': 'core',
        },
      });
    }
    case 'secondary_rate_limit':
      return new GitHubFailure(
        fault.params.status === 429 ? 429 : 403,
        secondaryRateLimitMessage(requestId),
        docsUrl.secondaryRateLimit,
        {
          headers: fault.params.retry_after === undefined ? {} : { 'retry-after': String(fault.params.retry_after) },
        },
      );
    case 'revoked_token': {
      const failure = badCredentials();
      // git clients need the challenge to know credentials were refused.
      return ctx.path.startsWith('/api/')
        ? failure
        : new GitHubFailure(401, failure.message, failure.documentationUrl, {
            headers: { 'WWW-Authenticate': 'Basic realm="GitHub"' },
          });
    }
    default:
      return new GitHubFailure(
        fault.params.status === 502 ? 502 : 500,
        fault.params.status === 502 ? 'Server Error' : 'Server Error',
        docsUrl.rest,
      );
  }
}

/**
 * Faults on demand: the next N requests matching a method and path prefix
 * fail the way GitHub fails. lost_response does the work first, then answers
 * 502, like a proxy that lost the upstream's answer.
 */
export function faultInjection(deps: Pick<SandboxDeps, 'db' | 'clock'>): Middleware {
  return async (ctx, next) => {
    if (ctx.path.startsWith(adminPrefix)) return next();
    const fault = await claimFault(deps.db, ctx.method, ctx.path);
    if (!fault) return next();
    if (fault.kind === 'slow') {
      await sleep(fault.params.delay_ms ?? 1000);
      return next();
    }
    if (fault.kind === 'lost_response') {
      await next();
      if (ctx.body && typeof (ctx.body as NodeJS.ReadableStream).pipe === 'function')
        (ctx.body as NodeJS.ReadableStream).resume();
      ctx.remove('Location');
      ctx.type = 'text/html; charset=utf-8';
      ctx.status = 502;
      ctx.body = '<html><body><h1>502 Bad Gateway</h1></body></html>\n';
      return;
    }
    answer(ctx, failureOf(fault, ctx, deps.clock.now()));
  };
}
