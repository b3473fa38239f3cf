import { onCsrfRejected } from '../csrf.js';
import Router from '@koa/router';
import type { Context } from 'koa';
import { isAppError } from '@gatehouse/service-kit';
import { isRejection } from '../auth-client.js';
import { expiredFormText, formText } from '../forms.js';
import type { Connection, MirrorClient, MirrorJob } from '../mirror-client.js';
import { pageScript } from '../security-headers.js';
import { sessionOf } from '../session/session.js';
import { callOf, requireSignedIn, seeOther } from '../signed-in.js';
import { render } from '../views.js';
import type { RouteDeps } from './deps.js';

// The link comes from GitHub's answer: only a web address becomes an href.
const linkable = (job: MirrorJob): MirrorJob =>
  job.repository && !/^https?:\/\//i.test(job.repository.html_url) ? { ...job, repository: null } : job;

const active = (job: MirrorJob | null) => job !== null && ['queued', 'running', 'waiting'].includes(job.status);

/** What the page says about the mirror the person has (or hasn't) started. */
export interface MirrorPage {
  connection: Connection | null;
  job: MirrorJob | null;
  running: boolean;
  /** The mirror could not be asked: the page says so instead of failing. */
  unavailable: boolean;
}

/** The connection alone, for /account; a mirror that does not answer is said, not thrown. */
export async function loadGithubState(ctx: Context, deps: RouteDeps, mirror: MirrorClient) {
  try {
    const connection = await deps.signedIn.withAccess(ctx, (token) => mirror.connection(token, callOf(ctx)));
    return { connection, unavailable: false };
  } catch (err) {
    if (!isAppError(err) || err.status !== 503) throw err;
    return { connection: null, unavailable: true };
  }
}

export async function loadMirrorPage(ctx: Context, deps: RouteDeps, mirror: MirrorClient): Promise<MirrorPage> {
  try {
    return await deps.signedIn.withAccess(ctx, async (token) => {
      const [connection, job] = await Promise.all([
        mirror.connection(token, callOf(ctx)),
        mirror.latestMirror(token, callOf(ctx)),
      ]);
      return { connection, job: job && linkable(job), running: active(job), unavailable: false };
    });
  } catch (err) {
    if (!isAppError(err) || err.status !== 503) throw err;
    return { connection: null, job: null, running: false, unavailable: true };
  }
}

/** /mirror: the person's copy of Gatehouse's code on GitHub, its progress, and the button that starts it. */
export function mirrorRoutes(deps: RouteDeps) {
  const router = new Router();
  const mirror = deps.mirror;
  if (!mirror) return router;
  const signedIn = requireSignedIn(deps.clock);

  const show = async (ctx: Context, formError?: string) => {
    await render(
      ctx,
      'mirror',
      { ...(await loadMirrorPage(ctx, deps, mirror)), formError },
      formError ? 403 : undefined,
    );
  };

  router.get('/mirror', signedIn, pageScript(deps.security), async (ctx) => {
    await show(ctx);
  });

  router.post(
    '/mirror',
    signedIn,
    onCsrfRejected((ctx) => show(ctx, expiredFormText)),
    async (ctx) => {
      const wantsPrivate = formText(ctx, 'private') === 'yes';
      try {
        await deps.signedIn.withAccess(ctx, (token) =>
          mirror.startMirror(token, wantsPrivate ? { private: true } : {}, callOf(ctx)),
        );
      } catch (err) {
        if (isRejection(err, 'mirror_in_progress')) return seeOther(ctx, '/mirror');
        if (isRejection(err)) {
          sessionOf(ctx).flash = { kind: 'warning', text: err.message };
          return seeOther(ctx, '/mirror');
        }
        throw err;
      }
      seeOther(ctx, '/mirror');
    },
  );

  return router;
}
