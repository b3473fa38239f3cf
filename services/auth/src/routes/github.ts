import Router from '@koa/router';
import { z } from 'zod';
import { requireServiceCredential, validate } from '@gatehouse/service-kit';
import type { AuthDeps } from '../deps.js';
import { githubLink, githubLogin } from '../domain/github-accounts.js';

const github = {
  github_id: z.number().int().positive().max(Number.MAX_SAFE_INTEGER),
  login: z
    .string()
    .min(1)
    .max(100)
    .regex(/^[A-Za-z0-9_.-]+$/, 'login_invalid: Not a GitHub login.'),
};
const loginBody = z.strictObject({ ...github, email: z.string().max(254).nullish() });
const linkBody = z.strictObject({ ...github, user_id: z.uuid() });

/**
 * For the web service, after the mirror service finished a GitHub OAuth
 * flow: sign in (or sign up) by GitHub id, and link GitHub to an account.
 * Not published through nginx.
 */
export function githubRoutes(deps: AuthDeps) {
  const serviceOnly = requireServiceCredential(deps.settings.serviceSecret);
  return new Router()
    .post('/v1/internal/github-login', serviceOnly, async (ctx) => {
      const input = validate(loginBody, ctx.request.body);
      ctx.set('Cache-Control', 'no-store');
      const ip = ctx.ip;
      ctx.body = await githubLogin(deps, { id: input.github_id, login: input.login, email: input.email }, ip);
    })
    .post('/v1/internal/github-link', serviceOnly, async (ctx) => {
      const input = validate(linkBody, ctx.request.body);
      ctx.body = await githubLink(deps, input.user_id, { id: input.github_id, login: input.login }, ctx.ip);
    });
}
