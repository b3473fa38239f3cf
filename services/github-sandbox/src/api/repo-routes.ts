import Router from '@koa/router';
import type { SandboxDeps } from '../deps.js';
import { hasScope } from '../oauth/scopes.js';
import { findRepo, listReposOf } from '../store/repos.js';
import { createRepository, readCreateInput } from './create-repository.js';
import { docsUrl, GitHubFailure, notFound } from './github-error.js';
import { fullRepository } from './json.js';
import { linkHeader } from './link-header.js';
import { readListQuery, selectRepos } from './list-repos.js';
import { acceptScopes, callerOrFail } from './require.js';

export function repoRoutes(deps: Pick<SandboxDeps, 'db' | 'clock' | 'settings' | 'disk' | 'logger'>) {
  const router = new Router({ prefix: '/api/v3' });

  router.get('/user/repos', async (ctx) => {
    const caller = callerOrFail(ctx, docsUrl.listRepos);
    acceptScopes(ctx, []);
    const query = readListQuery(ctx);
    const repos = selectRepos(await listReposOf(deps.db, caller.user.id), query, hasScope(caller.scopes, 'repo'));
    const lastPage = Math.max(1, Math.ceil(repos.length / query.perPage));
    const link = linkHeader(`${deps.settings.publicUrl}${ctx.originalUrl}`, query.page, lastPage);
    if (link) ctx.set('Link', link);
    const start = (query.page - 1) * query.perPage;
    ctx.body = repos.slice(start, start + query.perPage).map((r) => fullRepository(deps.settings, r));
  });

  router.post('/user/repos', async (ctx) => {
    const caller = callerOrFail(ctx, docsUrl.createRepo);
    acceptScopes(ctx, ['public_repo', 'repo']);
    const input = readCreateInput(ctx.request.body);
    // Without the scope the endpoint hides itself, as GitHub does for OAuth tokens.
    if (!hasScope(caller.scopes, input.private ? 'repo' : 'public_repo')) throw notFound(docsUrl.createRepo);
    const repo = await createRepository(deps, caller.user, input);
    ctx.status = 201;
    ctx.set('Location', `${deps.settings.apiUrl}/repos/${repo.owner_login}/${repo.name}`);
    ctx.body = fullRepository(deps.settings, repo);
  });

  router.get('/repos/:owner/:repo', async (ctx) => {
    acceptScopes(ctx, ['repo']);
    const repo = await findRepo(deps.db, ctx.params.owner!, ctx.params.repo!);
    if (!repo || !mayRead(ctx.state.caller, repo)) throw notFound(docsUrl.getRepo);
    ctx.body = fullRepository(deps.settings, repo);
  });

  router.get('/repos/:owner/:repo/git/ref/*ref', async (ctx) => {
    acceptScopes(ctx, ['repo']);
    const repo = await findRepo(deps.db, ctx.params.owner!, ctx.params.repo!);
    if (!repo || !mayRead(ctx.state.caller, repo)) throw notFound(docsUrl.getRef);
    if (await deps.disk.isEmpty(repo)) throw new GitHubFailure(409, 'Git Repository is empty.', docsUrl.getRef);
    const name = `refs/${([] as string[]).concat(ctx.params.ref ?? []).join('/')}`;
    const target = await deps.disk.ref(repo, name);
    if (!target) throw notFound(docsUrl.getRef);
    const api = `${deps.settings.apiUrl}/repos/${repo.owner_login}/${repo.name}`;
    ctx.body = {
      ref: target.ref,
      node_id: Buffer.from(`03:Ref${repo.id}:${target.ref}`).toString('base64').replace(/=+$/, ''),
      url: `${api}/git/${target.ref}`,
      object: { sha: target.sha, type: target.type, url: `${api}/git/${target.type}s/${target.sha}` },
    };
  });

  return router;
}

/** Public repositories are everyone's to read; a private one needs its owner with the repo scope. */
export function mayRead(
  caller: { user: { id: number }; scopes: string[] } | undefined,
  repo: { private: boolean; owner_id: number },
): boolean {
  if (!repo.private) return true;
  return caller !== undefined && caller.user.id === repo.owner_id && hasScope(caller.scopes, 'repo');
}
