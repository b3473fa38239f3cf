import { GithubError } from '../github/github-error.js';
import type { GithubSession } from '../domain/github-session.js';
import { mirrorDescription } from './pack.js';

export interface Repository {
  full_name: string;
  html_url: string;
  clone_url: string;
  description: string | null;
  size?: number;
}

export type Ensured = { kind: 'ours'; repo: Repository; created: boolean } | { kind: 'foreign'; repo: Repository };

const repoPath = (owner: string, name: string) => `/repos/${encodeURIComponent(owner)}/${encodeURIComponent(name)}`;

async function getRepository(session: GithubSession, owner: string, name: string): Promise<Repository | undefined> {
  try {
    return (await session.api<Repository>('mirror', 'GET', repoPath(owner, name))).body;
  } catch (err) {
    if (err instanceof GithubError && err.failure === 'not_found') return undefined;
    throw err;
  }
}

/**
 * Finds or creates the mirror repository. GET comes first, every time this
 * runs, so a create whose answer was lost is found rather than made twice.
 * A repository is ours when it carries our description and `isMarked` finds
 * our marker file or no commit at all (created by us, push not yet done).
 */
export async function ensureRepository(
  session: GithubSession,
  target: { owner: string; name: string; private: boolean },
  isMarked: (repo: Repository) => Promise<boolean>,
): Promise<Ensured> {
  const { owner, name } = target;
  for (let round = 0; round < 2; round += 1) {
    const existing = await getRepository(session, owner, name);
    if (existing) {
      const ours = existing.description === mirrorDescription && (await isMarked(existing));
      return ours ? { kind: 'ours', repo: existing, created: false } : { kind: 'foreign', repo: existing };
    }
    try {
      const created = await session.api<Repository>('mirror', 'POST', '/user/repos', {
        json: {
          name,
          description: mirrorDescription,
          private: target.private,
          auto_init: false,
          has_issues: false,
          has_wiki: false,
        },
      });
      return { kind: 'ours', repo: created.body, created: true };
    } catch (err) {
      // 422 "name already exists": someone (or our lost first answer) created it; look again.
      if (!(err instanceof GithubError && err.failure === 'unprocessable')) throw err;
    }
  }
  throw new GithubError('unexpected', 'The repository neither exists nor can be created.');
}

/** A free name for the person to choose instead of a foreign repository's. */
export const suggestedName = (name: string) => `${name}-gatehouse-mirror`;
