import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import Router from '@koa/router';
import type nunjucks from 'nunjucks';
import type { SandboxDeps } from '../deps.js';
import { staticDir } from '../paths.js';
import { findRepo, listReposOf } from '../store/repos.js';
import { findUserByLogin, listUsers } from '../store/users.js';
import { renderPage } from './views.js';

const fileLimit = 500;

/**
 * The stand-in's own pages: who exists, what they own, and what a repository
 * holds, so a person can see what was mirrored. Read-only, server-rendered.
 */
export function pageRoutes(deps: Pick<SandboxDeps, 'db' | 'disk' | 'settings'> & { views: nunjucks.Environment }) {
  const router = new Router();
  const css = readFile(join(staticDir, 'sandbox.css'));

  router.get('/_sandbox/assets/sandbox.css', async (ctx) => {
    ctx.type = 'text/css; charset=utf-8';
    ctx.set('Cache-Control', 'public, max-age=300');
    ctx.body = await css;
  });

  router.get('/_sandbox/avatars/:id', (ctx) => {
    const hue = (Number.parseInt(ctx.params.id ?? '0', 10) * 47) % 360;
    ctx.type = 'image/svg+xml';
    ctx.set('Cache-Control', 'public, max-age=86400');
    ctx.body = `<svg xmlns="http://www.w3.org/2000/svg" width="64" height="64"><rect width="64" height="64" fill="hsl(${hue} 55% 55%)"/></svg>`;
  });

  router.get('/', async (ctx) => {
    const users = await listUsers(deps.db);
    const withRepos = await Promise.all(
      users.map(async (user) => ({ user, repos: await listReposOf(deps.db, user.id) })),
    );
    await renderPage(deps.views, ctx, 'home', {
      users: withRepos,
      publicUrl: deps.settings.publicUrl,
      apiUrl: deps.settings.apiUrl,
    });
  });

  router.get('/:owner', async (ctx, next) => {
    const user = await findUserByLogin(deps.db, ctx.params.owner!);
    if (!user) return next();
    await renderPage(deps.views, ctx, 'user', { user, repos: await listReposOf(deps.db, user.id) });
  });

  router.get('/:owner/:repo', async (ctx, next) => {
    const repo = await findRepo(deps.db, ctx.params.owner!, ctx.params.repo!);
    if (!repo) return next();
    const [files, lastCommit, empty] = await Promise.all([
      deps.disk.files(repo, repo.default_branch, fileLimit + 1),
      deps.disk.lastCommit(repo, repo.default_branch),
      deps.disk.isEmpty(repo),
    ]);
    await renderPage(deps.views, ctx, 'repo', {
      repo,
      files: files.slice(0, fileLimit),
      truncated: files.length > fileLimit,
      lastCommit,
      empty,
      cloneUrl: `${deps.settings.publicUrl}/${repo.owner_login}/${repo.name}.git`,
    });
  });

  return router;
}
