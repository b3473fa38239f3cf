import { randomUUID } from 'node:crypto';
import Router from '@koa/router';
import { z } from 'zod';
import { UniqueViolationError } from '@gatehouse/db';
import { AppError, validate } from '@gatehouse/service-kit';
import type { MirrorDeps } from '../deps.js';
import { requireBearer, userOf } from '../http/bearer.js';
import { jobView } from '../mirror/job-view.js';
import { findConnection } from '../store/connections.js';
import { findJob, insertJob, listJobs } from '../store/mirror-jobs.js';

const startBody = z.strictObject({
  name: z
    .string()
    .regex(/^[A-Za-z0-9._-]{1,100}$/, 'name_invalid: Use letters, digits, ".", "-" or "_" (at most 100).')
    .optional(),
  private: z.boolean().optional(),
});
const uuid = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/** The person's own job, or 404 (another person's job is not found either). */
export async function ownJob(deps: Pick<MirrorDeps, 'db'>, id: string, userId: string) {
  const job = uuid.test(id) ? await findJob(deps.db, id) : undefined;
  if (!job || job.user_id !== userId) throw new AppError('not_found', { message: 'No such mirror.' });
  return job;
}

export function mirrorRoutes(deps: MirrorDeps) {
  return new Router({ prefix: '/v1/mirrors' })
    .use(requireBearer(deps.verifier))
    .post('/', async (ctx) => {
      const input = validate(startBody, ctx.request.body ?? {});
      const userId = userOf(ctx.state);
      const connection = await findConnection(deps.db, userId);
      if (!connection) throw new AppError('github_not_connected');
      if (connection.broken_at) throw new AppError('github_reconnect_required');
      const id = randomUUID();
      try {
        const job = {
          id,
          user_id: userId,
          repo_name: input.name ?? deps.settings.defaultRepoName,
          private: input.private ?? false,
        };
        await insertJob(deps.db, job, deps.clock.now());
      } catch (err) {
        if (err instanceof UniqueViolationError) throw new AppError('mirror_in_progress');
        throw err;
      }
      deps.jobQueued();
      ctx.status = 202;
      ctx.set('Location', `/v1/mirrors/${id}`);
      ctx.body = { id };
    })
    .get('/', async (ctx) => {
      ctx.body = { mirrors: (await listJobs(deps.db, userOf(ctx.state))).map(jobView) };
    })
    .get('/:id', async (ctx) => {
      ctx.body = jobView(await ownJob(deps, ctx.params.id!, userOf(ctx.state)));
    });
}
