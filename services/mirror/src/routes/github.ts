import Router from '@koa/router';
import { z } from 'zod';
import { validate } from '@gatehouse/service-kit';
import type { MirrorDeps } from '../deps.js';
import { disconnect } from '../domain/disconnect.js';
import { githubAppError, openSession } from '../domain/github-session.js';
import { finishOauth, startOauth } from '../domain/oauth-flow.js';
import { randomToken } from '../domain/pkce.js';
import { requireBearer, userOf } from '../http/bearer.js';
import { findConnection } from '../store/connections.js';
import { listTokenUses } from '../store/token-uses.js';

const authorizeBody = z.strictObject({ private: z.boolean().optional() });
// What web's callback page shows the person for an API-started flow: `<state>.<code>`.
const completeBody = z.strictObject({
  completion: z
    .string()
    .max(4096)
    .regex(/^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/, 'The completion code is the text shown on the callback page.'),
  binding: z.string().min(22).max(256),
});
const reposQuery = z.object({
  page: z.coerce.number().int().min(1).max(1000).optional(),
  per_page: z.coerce.number().int().min(1).max(100).optional(),
  sort: z.enum(['created', 'updated', 'pushed', 'full_name']).optional(),
  direction: z.enum(['asc', 'desc']).optional(),
});

/** GitHub's Link header, passed on as page numbers. */
function pages(link: string | undefined) {
  const out: Record<string, number> = {};
  for (const part of (link ?? '').split(',')) {
    const match = /<([^>]+)>;\s*rel="(\w+)"/.exec(part);
    const page = match ? Number(new URL(match[1]!).searchParams.get('page')) : NaN;
    if (match && Number.isInteger(page)) out[match[2]!] = page;
  }
  return out;
}

export function githubRoutes(deps: MirrorDeps) {
  return new Router({ prefix: '/v1/github' })
    .use(requireBearer(deps.verifier))
    .post('/authorize', async (ctx) => {
      const input = validate(authorizeBody, ctx.request.body ?? {});
      // An API client has no browser session: the binding it must present at finish is returned to it.
      const binding = randomToken();
      const url = await startOauth(deps, {
        purpose: 'connect',
        user_id: userOf(ctx.state),
        binding,
        private: input.private,
        api: true,
      });
      ctx.set('Cache-Control', 'no-store');
      ctx.body = { authorization_url: url, binding };
    })
    .post('/authorize/complete', async (ctx) => {
      const input = validate(completeBody, ctx.request.body ?? {});
      const dot = input.completion.indexOf('.');
      const result = await finishOauth(deps, {
        state: input.completion.slice(0, dot),
        code: input.completion.slice(dot + 1),
        binding: input.binding,
        user_id: userOf(ctx.state),
      });
      ctx.set('Cache-Control', 'no-store');
      ctx.body = { connected: true, github: result.github, scope: result.purpose === 'connect' ? result.scope : null };
    })
    .get('/connection', async (ctx) => {
      const userId = userOf(ctx.state);
      const row = await findConnection(deps.db, userId);
      ctx.set('Cache-Control', 'no-store');
      ctx.body = {
        connected: Boolean(row),
        github: row ? { id: Number(row.github_id), login: row.login } : null,
        scope: row?.scope ?? null,
        broken: Boolean(row?.broken_at),
        connected_at: row?.connected_at ?? null,
        uses: await listTokenUses(deps.db, userId),
      };
    })
    .delete('/connection', async (ctx) => {
      const { revoked } = await disconnect(deps, userOf(ctx.state));
      if (!revoked) deps.revocationQueued();
      ctx.status = 204;
    })
    .get('/repos', async (ctx) => {
      const query = validate(reposQuery, ctx.query);
      const session = await openSession(deps, userOf(ctx.state));
      const searchParams = Object.fromEntries(Object.entries(query).filter(([, v]) => v !== undefined)) as Record<
        string,
        string | number
      >;
      try {
        const answer = await session.api<unknown[]>('list repositories', 'GET', '/user/repos', { searchParams });
        const link = answer.headers.link;
        ctx.body = { repositories: answer.body, pages: pages(Array.isArray(link) ? link[0] : link) };
      } catch (err) {
        throw githubAppError(err, deps.clock.now());
      }
    });
}
