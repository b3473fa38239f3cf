import Router from '@koa/router';
import { z } from 'zod';
import { validate } from '@gatehouse/service-kit';
import type { AuthDeps } from '../deps.js';
import { signup } from '../domain/accounts.js';
import { emailField, passwordField, usernameField } from '../schemas.js';

const body = z.strictObject({ username: usernameField, email: emailField, password: passwordField });

export function signupRoutes(deps: AuthDeps) {
  return new Router().post('/v1/signup', async (ctx) => {
    ctx.body = await signup(deps, validate(body, ctx.request.body), ctx.ip);
    ctx.status = 202;
  });
}
