import type { Context, Middleware } from 'koa';
import type { SandboxDeps } from '../deps.js';
import { callerOf, credentialOf, type Caller } from '../oauth/token-auth.js';
import { hasScope } from '../oauth/scopes.js';
import { hooksDir } from '../paths.js';
import { findRepo, markPushed } from '../store/repos.js';
import { runHttpBackend } from './http-backend.js';

const smartPath = /^\/([^/]+)\/([^/]+?)(?:\.git)?\/(info\/refs|git-upload-pack|git-receive-pack)$/;

/** What GitHub answers over git, as plain text (git prints it after "remote:" or in its error). */
function refuse(ctx: Context, status: number, text: string, challenge = false): void {
  ctx.status = status;
  ctx.type = 'text/plain; charset=utf-8';
  if (challenge) ctx.set('WWW-Authenticate', 'Basic realm="GitHub"');
  ctx.body = `${text}\n`;
}

const invalidCredentials = 'Invalid username or token. Password authentication is not supported for Git operations.';

/**
 * git smart HTTP at the web host's root, as on GitHub: clone and fetch of
 * public repositories without credentials, everything else with basic auth
 * whose password is an OAuth token. Pushes need the owner's token with repo
 * (or public_repo on a public repository); workflow files also need workflow.
 */
export function gitRoutes(deps: Pick<SandboxDeps, 'db' | 'clock' | 'disk' | 'logger'>): Middleware {
  return async (ctx, next) => {
    const match = smartPath.exec(ctx.path);
    if (!match || !['GET', 'POST'].includes(ctx.method)) return next();
    const [, owner, name, action] = match as unknown as [string, string, string, string];
    if (action === 'info/refs' && ctx.method !== 'GET') return next();
    if (action !== 'info/refs' && ctx.method !== 'POST') return next();
    const push = action === 'git-receive-pack' || (action === 'info/refs' && ctx.query.service === 'git-receive-pack');

    const credential = credentialOf(ctx.get('authorization'));
    let caller: Caller | undefined;
    if (credential.kind === 'basic' || credential.kind === 'token') {
      caller = await callerOf(deps, credential.kind === 'basic' ? credential.password : credential.token);
      if (!caller) return refuse(ctx, 401, invalidCredentials, true);
    } else if (credential.kind === 'malformed') {
      return refuse(ctx, 401, invalidCredentials, true);
    }

    const repo = await findRepo(deps.db, owner, name);
    const mayRead = repo && (!repo.private || (caller?.user.id === repo.owner_id && hasScope(caller.scopes, 'repo')));
    if (!repo || !mayRead) {
      // Asking for credentials first hides whether a private repository exists.
      if (!caller) return refuse(ctx, 401, invalidCredentials, true);
      return refuse(ctx, 404, 'Repository not found.');
    }
    if (push) {
      if (!caller) return refuse(ctx, 401, invalidCredentials, true);
      const mayPush =
        caller.user.id === repo.owner_id && hasScope(caller.scopes, repo.private ? 'repo' : 'public_repo');
      if (!mayPush)
        return refuse(ctx, 403, `Permission to ${repo.owner_login}/${repo.name}.git denied to ${caller.user.login}.`);
    }

    const { exited } = await runHttpBackend(ctx, {
      gitBin: deps.disk.gitBin,
      projectRoot: deps.disk.root,
      pathInfo: `/${deps.disk.relativePath(repo)}/${action}`,
      remoteUser: push ? caller!.user.login : undefined,
      hooksDir,
      hookEnv: { SANDBOX_WORKFLOW_SCOPE: caller && hasScope(caller.scopes, 'workflow') ? '1' : '0' },
      logger: deps.logger,
    });
    if (action === 'git-receive-pack') {
      void exited
        .then(async (code) => {
          if (code === 0) await markPushed(deps.db, repo.id, deps.clock.now());
        })
        .catch((err: unknown) => deps.logger.warn({ err }, 'could not record a push'));
    }
  };
}
