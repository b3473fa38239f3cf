import type { Context } from 'koa';
import type { Caller } from '../oauth/token-auth.js';
import { requiresAuthentication } from './github-error.js';

/** The signed-in caller, or GitHub's 401 naming this endpoint's documentation. */
export function callerOrFail(ctx: Context, docs: string): Caller {
  if (!ctx.state.caller) throw requiresAuthentication(docs);
  return ctx.state.caller;
}

/** x-accepted-oauth-scopes: what this endpoint would accept. */
export function acceptScopes(ctx: Context, scopes: string[]): void {
  ctx.set('x-accepted-oauth-scopes', scopes.join(', '));
}
