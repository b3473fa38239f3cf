import { rm } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { AppError } from '@gatehouse/service-kit';
import type { MirrorDeps } from '../deps.js';
import { openSession, type GithubSession } from '../domain/github-session.js';
import { scopeFor, scopeSatisfies } from '../domain/scopes.js';
import { stages, type JobPatch, type JobRow, type Stage } from '../store/mirror-jobs.js';
import { authEnv, classifyGitFailure, git, GitError, remoteConfigFor, writeAskpass } from './git.js';
import { buildMirrorCommit, markerPath, mirrorBranch, type MirrorCommit } from './pack.js';
import { ensureRepository, suggestedName } from './remote-repository.js';

export type StageDeps = Pick<MirrorDeps, 'db' | 'clock' | 'github' | 'cipher' | 'source' | 'settings'>;

export interface StageContext {
  job: JobRow;
  signal: AbortSignal;
  /** Persists a patch (only while this worker holds the lease) and returns the new row. */
  update(patch: JobPatch): Promise<JobRow>;
}

const reached = (job: JobRow, stage: Stage) => stages.indexOf(job.stage) > stages.indexOf(stage);
const ref = `refs/heads/${mirrorBranch}`;

/**
 * Runs a job from its recorded stage to the end. Each finished stage is saved
 * before the next begins, so a restarted job skips the GitHub work already
 * done; the local pack is rebuilt when needed (it is deterministic).
 */
export async function runStages(deps: StageDeps, ctx: StageContext): Promise<void> {
  let { job } = ctx;
  const session = await openSession(deps, job.user_id);
  const me = await session.api<{ login: string }>('mirror', 'GET', '/user');
  if (!scopeSatisfies(session.connection.scope, scopeFor('connect', job.private)))
    throw new AppError('oauth_scope_insufficient');
  if (!reached(job, 'connect')) {
    job = await ctx.update({
      stage: 'create_repository',
      percent: 10,
      message: `Connected to GitHub as ${me.body.login}.`,
      attempts: 0,
    });
  }

  if (!reached(job, 'create_repository') || !job.repo_clone_url) {
    const isMarked = (repo: { clone_url: string }) =>
      hasMarker(session, repo.clone_url, join(deps.settings.workDir, `${job.id}-probe.git`), ctx.signal);
    const ensured = await ensureRepository(
      session,
      { owner: me.body.login, name: job.repo_name, private: job.private },
      isMarked,
    );
    if (ensured.kind === 'foreign') {
      const message =
        `${ensured.repo.full_name} already exists and is not a Gatehouse mirror, so it was left untouched. ` +
        `Choose another name, for example "${suggestedName(job.repo_name)}".`;
      throw new AppError('repository_name_taken', { message });
    }
    const { repo } = ensured;
    job = await ctx.update({
      stage: 'pack',
      percent: 25,
      message: ensured.created ? `Created ${repo.full_name}.` : `Found the mirror ${repo.full_name}.`,
      repo_full_name: repo.full_name,
      repo_html_url: repo.html_url,
      repo_clone_url: repo.clone_url,
      attempts: 0,
    });
  }

  const remote = job.repo_clone_url!;
  const gitDir = join(deps.settings.workDir, `${job.id}.git`);
  const askpass = await writeAskpass(deps.settings.workDir);
  const built = await buildMirrorCommit(deps.source, gitDir);
  try {
    const head = await remoteHead(session, askpass, remote, ctx.signal);
    if (head === built.commit) {
      await ctx.update({
        status: 'succeeded',
        stage: 'verify',
        percent: 100,
        message: `${job.repo_full_name} is already current (${built.version}).`,
      });
      return;
    }
    if (!reached(job, 'pack'))
      job = await ctx.update({ stage: 'push', percent: 40, message: `Packed ${built.version}.`, attempts: 0 });
    if (!reached(job, 'push')) {
      await push(session, askpass, remote, built, head, ctx);
      job = await ctx.update({ stage: 'verify', percent: 90, message: 'Pushed; verifying.', attempts: 0 });
    }
    const after = await remoteHead(session, askpass, remote, ctx.signal);
    if (after !== built.commit)
      throw new AppError('unexpected_failure', { message: 'The pushed branch does not point at the mirror commit.' });
    await ctx.update({
      status: 'succeeded',
      percent: 100,
      message: `Mirrored Gatehouse ${built.version} to ${job.repo_full_name}.`,
    });
  } finally {
    await rm(gitDir, { recursive: true, force: true });
  }
}

/** An empty repository, or one whose branch holds our marker file (checked with a one-commit fetch). */
async function hasMarker(
  session: GithubSession,
  remote: string,
  probeDir: string,
  signal: AbortSignal,
): Promise<boolean> {
  const askpass = await writeAskpass(dirname(probeDir));
  const config = await remoteConfigFor(remote);
  const run = (args: string[], env: Record<string, string> = {}) =>
    git(args, { env: { GIT_DIR: probeDir, ...env }, signal }).catch((err: unknown) => {
      throw classifyGitFailure(err);
    });
  try {
    const heads = await session.withToken('mirror', 'git ls-remote', (token) =>
      run([...config, 'ls-remote', '--heads', remote], authEnv(askpass, token)),
    );
    if (heads.toString().trim() === '') return true;
    await run(['init', '--bare', '-q', probeDir]);
    try {
      await session.withToken('mirror', 'git-upload-pack', (token) =>
        run([...config, 'fetch', '-q', '--depth=1', remote, ref], authEnv(askpass, token)),
      );
    } catch (err) {
      // Branches, but not ours: someone else's code.
      if (err instanceof GitError) return false;
      throw err;
    }
    return await run(['cat-file', '-e', `FETCH_HEAD:${markerPath}`]).then(
      () => true,
      () => false,
    );
  } finally {
    await rm(probeDir, { recursive: true, force: true });
  }
}

async function remoteHead(
  session: GithubSession,
  askpass: string,
  remote: string,
  signal: AbortSignal,
): Promise<string | undefined> {
  const config = await remoteConfigFor(remote);
  const out = await session.withToken('mirror', 'git ls-remote', (token) =>
    git([...config, 'ls-remote', remote, ref], { env: authEnv(askpass, token), signal }).catch((err: unknown) => {
      throw classifyGitFailure(err);
    }),
  );
  return out.toString().split(/\s/)[0] || undefined;
}

/** git's receive-pack moves the ref only after the whole pack arrived: nobody sees half a push. */
async function push(
  session: GithubSession,
  askpass: string,
  remote: string,
  built: MirrorCommit,
  head: string | undefined,
  ctx: StageContext,
) {
  let last = 40;
  const onStderr = (text: string) => {
    const match =
      /Writing objects:\s+(\d+)%/.exec(text.split('\r').at(-1) ?? text) ?? /Writing objects:\s+(\d+)%/.exec(text);
    const percent = match ? 40 + Math.floor(Number(match[1]) / 2) : last;
    if (percent >= last + 10) {
      last = percent;
      void ctx.update({ percent, message: 'Pushing.' }).catch(() => {});
    }
  };
  const config = await remoteConfigFor(remote);
  const args = [
    ...config,
    'push',
    '--progress',
    `--force-with-lease=${ref}:${head ?? ''}`,
    remote,
    `${built.commit}:${ref}`,
  ];
  await session.withToken('mirror', 'git-receive-pack', (token) =>
    git(args, {
      cwd: built.gitDir,
      env: { ...authEnv(askpass, token), GIT_DIR: built.gitDir },
      signal: ctx.signal,
      onStderr,
    }).catch((err: unknown) => {
      throw classifyGitFailure(err);
    }),
  );
}
