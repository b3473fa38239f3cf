import { mkdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { git, runGit } from './run-git.js';

export interface RepoLocation {
  id: number;
  owner_id: number;
}

export interface RefTarget {
  ref: string;
  sha: string;
  type: 'commit' | 'tag' | 'tree' | 'blob';
}

export interface LastCommit {
  sha: string;
  author: string;
  date: string;
  message: string;
}

export interface RepoDisk {
  readonly root: string;
  readonly gitBin: string;
  /** The bare repository's directory, relative to root (what http-backend's PATH_INFO names). */
  relativePath(repo: RepoLocation): string;
  path(repo: RepoLocation): string;
  create(
    repo: RepoLocation,
    init?: { branch: string; readme: string; author: { name: string; email: string }; date: Date },
  ): Promise<void>;
  remove(repo: RepoLocation): Promise<void>;
  isEmpty(repo: RepoLocation): Promise<boolean>;
  /** A fully named ref (refs/heads/main), or undefined. */
  ref(repo: RepoLocation, ref: string): Promise<RefTarget | undefined>;
  files(repo: RepoLocation, branch: string, limit: number): Promise<string[]>;
  lastCommit(repo: RepoLocation, branch: string): Promise<LastCommit | undefined>;
}

/**
 * Repositories are real bare git repositories under root, named by ids
 * (owner/repo.git) so a renamed login never moves files.
 */
export function createRepoDisk(root: string, gitBin: string): RepoDisk {
  const relativePath = (repo: RepoLocation) => `${repo.owner_id}/${repo.id}.git`;
  const path = (repo: RepoLocation) => join(root, relativePath(repo));
  const inRepo = (repo: RepoLocation, args: string[], input?: string) =>
    git(gitBin, ['--git-dir', path(repo), ...args], input === undefined ? {} : { input });

  return {
    root,
    gitBin,
    relativePath,
    path,
    async create(repo, init) {
      await mkdir(join(root, String(repo.owner_id)), { recursive: true });
      await git(gitBin, ['init', '--quiet', '--bare', '--initial-branch', init?.branch ?? 'main', path(repo)]);
      if (!init) return;
      const blob = (await inRepo(repo, ['hash-object', '-w', '--stdin'], init.readme)).trim();
      const tree = (await inRepo(repo, ['mktree'], `100644 blob ${blob}\tREADME.md\n`)).trim();
      const stamp = `${Math.floor(init.date.getTime() / 1000)} +0000`;
      const commit = (
        await git(gitBin, ['--git-dir', path(repo), 'commit-tree', tree, '-m', 'Initial commit'], {
          env: {
            GIT_AUTHOR_NAME: init.author.name,
            GIT_AUTHOR_EMAIL: init.author.email,
            GIT_AUTHOR_DATE: stamp,
            GIT_COMMITTER_NAME: init.author.name,
            GIT_COMMITTER_EMAIL: init.author.email,
            GIT_COMMITTER_DATE: stamp,
          },
        })
      ).trim();
      await inRepo(repo, ['update-ref', `refs/heads/${init.branch}`, commit]);
    },
    async remove(repo) {
      await rm(path(repo), { recursive: true, force: true });
    },
    async isEmpty(repo) {
      return (await inRepo(repo, ['for-each-ref', '--count=1', '--format=%(refname)'])).trim() === '';
    },
    async ref(repo, ref) {
      const out = await inRepo(repo, ['for-each-ref', '--format=%(refname) %(objectname) %(objecttype)', ref]);
      for (const line of out.split('\n')) {
        const [name, sha, type] = line.split(' ');
        if (name === ref && sha && type) return { ref: name, sha, type: type as RefTarget['type'] };
      }
      return undefined;
    },
    async files(repo, branch, limit) {
      const result = await runGit(gitBin, [
        '--git-dir',
        path(repo),
        'ls-tree',
        '-r',
        '-z',
        '--name-only',
        `refs/heads/${branch}`,
      ]);
      if (result.code !== 0) return [];
      return result.stdout.toString('utf8').split('\0').filter(Boolean).slice(0, limit);
    },
    async lastCommit(repo, branch) {
      const result = await runGit(gitBin, [
        '--git-dir',
        path(repo),
        'log',
        '-1',
        '--format=%H%x00%an%x00%aI%x00%s',
        `refs/heads/${branch}`,
      ]);
      if (result.code !== 0) return undefined;
      const [sha, author, date, message] = result.stdout.toString('utf8').trim().split('\0');
      return sha ? { sha, author: author ?? '', date: date ?? '', message: message ?? '' } : undefined;
    },
  };
}
