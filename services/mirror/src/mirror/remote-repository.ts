import { GithubError } from '../github/github-error.js';
import type { GithubSession } from '../domain/github-session.js';
import { markerPath, mirrorDescription } from './pack.js';

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

async function hasMarker(session: GithubSession, repo: Repository): Promise<boolean> {
  try {
    await session.api('mirror', 'GET', `/repos/${repo.full_name.split('/').map(encodeURIComponent).join('/')}/contents/${markerPath}`);
    return true;
  } catch (err) {
    // 404 for a missing file and for an empty repository alike.
    if (err instanceof GithubError && (err.failure === 'not_found' || err.status === 409)) return false;
    throw err;
  }
}

/**
 * Finds or creates the mirror repository. GET comes first, every time this
 * runs, so a create whose answer was lost is found rather than made twice.
 * A repository is ours when it carries our description and either our marker
 * file or nothing at all (created by us, push not yet done).
 */
export async function ensureRepository(session: GithubSession, owner: string, name: string, privateRepo: boolean): Promise<Ensured> {
  for (let round = 0; round < 2; round += 1) {
    const existing = await getRepository(session, owner, name);
    if (existing) {
      const described = existing.description === mirrorDescription;
      const ours = described && ((await hasMarker(session, existing)) || existing.size === 0);
      return ours ? { kind: 'ours', repo: existing, created: false } : { kind: 'foreign', repo: existing };
    }
    try {
      const created = await session.api<Repository>('mirror', 'POST', '/user/repos', {
        json: { name, description: mirrorDescription, private: privateRepo, auto_init: false, has_issues: false, has_wiki: false },
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
