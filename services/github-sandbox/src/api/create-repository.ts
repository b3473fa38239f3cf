import type { SandboxDeps } from '../deps.js';
import { deleteRepo, insertRepo, type SandboxRepo } from '../store/repos.js';
import type { SandboxUser } from '../store/users.js';
import { docsUrl, GitHubFailure } from './github-error.js';

export interface CreateInput {
  name: string;
  description: string | null;
  private: boolean;
  autoInit: boolean;
}

const invalidRequest = (detail: string) => new GitHubFailure(422, `Invalid request.\n\n${detail}`, docsUrl.createRepo);

function optional<T>(body: Record<string, unknown>, field: string, type: 'string' | 'boolean'): T | undefined {
  const value = body[field];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== type)
    throw invalidRequest(`For 'properties/${field}', ${JSON.stringify(value)} is not a ${type}.`);
  return value as T;
}

/** The body of POST /user/repos, refused the way GitHub's schema validation words it. */
export function readCreateInput(raw: unknown): CreateInput {
  const body = (raw && typeof raw === 'object' ? raw : {}) as Record<string, unknown>;
  const asked = optional<string>(body, 'name', 'string');
  if (asked === undefined) throw invalidRequest('"name" wasn\'t supplied.');
  // GitHub replaces every character outside [A-Za-z0-9._-] with a hyphen.
  const name = asked.trim().replace(/[^A-Za-z0-9._-]/g, '-');
  if (name === '' || name === '.' || name === '..' || name.length > 100) {
    throw new GitHubFailure(422, 'Repository creation failed.', docsUrl.createRepo, {
      errors: [{ resource: 'Repository', code: 'custom', field: 'name', message: 'name is invalid' }],
    });
  }
  return {
    name,
    description: optional<string>(body, 'description', 'string') ?? null,
    private: optional<boolean>(body, 'private', 'boolean') ?? false,
    autoInit: optional<boolean>(body, 'auto_init', 'boolean') ?? false,
  };
}

/** A row and a bare repository on disk, or neither. */
export async function createRepository(
  deps: Pick<SandboxDeps, 'db' | 'clock' | 'disk'>,
  owner: SandboxUser,
  input: CreateInput,
): Promise<SandboxRepo> {
  const now = deps.clock.now();
  const repo = await insertRepo(
    deps.db,
    { ownerId: owner.id, name: input.name, description: input.description, private: input.private },
    now,
  );
  if (!repo) {
    throw new GitHubFailure(422, 'Repository creation failed.', docsUrl.createRepo, {
      errors: [
        { resource: 'Repository', code: 'custom', field: 'name', message: 'name already exists on this account' },
      ],
    });
  }
  try {
    await deps.disk.create(
      repo,
      input.autoInit
        ? {
            branch: repo.default_branch,
            readme: `# ${repo.name}\n${repo.description ? `\n${repo.description}\n` : ''}`,
            author: { name: owner.name ?? owner.login, email: owner.email ?? `${owner.login}@users.sandbox.invalid` },
            date: now,
          }
        : undefined,
    );
  } catch (err) {
    await deleteRepo(deps.db, repo.id);
    await deps.disk.remove(repo);
    throw err;
  }
  return repo;
}
