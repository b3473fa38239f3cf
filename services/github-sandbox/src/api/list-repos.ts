import type { Context } from 'koa';
import type { SandboxRepo } from '../store/repos.js';
import { docsUrl, GitHubFailure } from './github-error.js';

const sorts = ['created', 'updated', 'pushed', 'full_name'] as const;
type Sort = (typeof sorts)[number];

export interface ListQuery {
  visibility: 'all' | 'public' | 'private';
  ownerAffiliated: boolean;
  sort: Sort;
  direction: 'asc' | 'desc';
  perPage: number;
  page: number;
}

const invalid = (field: string) =>
  new GitHubFailure(422, 'Validation Failed', docsUrl.listRepos, {
    errors: [{ resource: 'Repository', field, code: 'invalid' }],
  });

const single = (value: unknown) => (typeof value === 'string' ? value : undefined);

/** GET /user/repos parameters with GitHub's defaults; `type` with visibility or affiliation is a 422, as documented. */
export function readListQuery(ctx: Context): ListQuery {
  const q = ctx.query;
  const type = single(q.type);
  const visibility = single(q.visibility) ?? 'all';
  const affiliation = single(q.affiliation);
  if (type && (q.visibility !== undefined || q.affiliation !== undefined)) {
    throw new GitHubFailure(
      422,
      'If you specify visibility or affiliation, you cannot specify type.',
      docsUrl.listRepos,
    );
  }
  if (!['all', 'public', 'private'].includes(visibility)) throw invalid('visibility');
  const affiliations = (affiliation ?? 'owner,collaborator,organization_member').split(',').map((s) => s.trim());
  if (affiliations.some((a) => !['owner', 'collaborator', 'organization_member'].includes(a)))
    throw invalid('affiliation');
  const sort = (single(q.sort) ?? 'full_name') as Sort;
  if (!sorts.includes(sort)) throw invalid('sort');
  const direction = single(q.direction) ?? (sort === 'full_name' ? 'asc' : 'desc');
  if (direction !== 'asc' && direction !== 'desc') throw invalid('direction');
  const perPageAsked = Number.parseInt(single(q.per_page) ?? '', 10);
  const pageAsked = Number.parseInt(single(q.page) ?? '', 10);
  const byType = type === 'public' || type === 'private' ? type : undefined;
  return {
    visibility: byType ?? (visibility as ListQuery['visibility']),
    ownerAffiliated: type === 'member' ? false : affiliations.includes('owner'),
    sort,
    direction,
    // GitHub caps per_page at 100 and treats nonsense as the default.
    perPage: Number.isFinite(perPageAsked) && perPageAsked > 0 ? Math.min(perPageAsked, 100) : 30,
    page: Number.isFinite(pageAsked) && pageAsked > 0 ? pageAsked : 1,
  };
}

const keyOf: Record<Sort, (r: SandboxRepo) => string | number> = {
  created: (r) => r.created_at.getTime(),
  updated: (r) => r.updated_at.getTime(),
  pushed: (r) => r.pushed_at.getTime(),
  full_name: (r) => `${r.owner_login}/${r.name}`.toLowerCase(),
};

/** Filters and orders the owner's repositories; private ones only when the token may see them. */
export function selectRepos(all: SandboxRepo[], query: ListQuery, mayReadPrivate: boolean): SandboxRepo[] {
  if (!query.ownerAffiliated) return [];
  const key = keyOf[query.sort];
  const sign = query.direction === 'asc' ? 1 : -1;
  return all
    .filter((r) => (r.private ? mayReadPrivate && query.visibility !== 'public' : query.visibility !== 'private'))
    .sort((a, b) => {
      const ka = key(a);
      const kb = key(b);
      return (ka < kb ? -1 : ka > kb ? 1 : a.id - b.id) * sign;
    });
}
