/**
 * OAuth scopes as GitHub names them. A broader scope covers its narrower
 * ones (repo covers public_repo), which is how GitHub checks them.
 */
export const knownScopes = [
  'repo',
  'repo:status',
  'repo_deployment',
  'public_repo',
  'repo:invite',
  'security_events',
  'workflow',
  'user',
  'read:user',
  'user:email',
  'user:follow',
  'read:org',
  'gist',
  'notifications',
  'delete_repo',
] as const;

const covers: Record<string, string[]> = {
  repo: ['repo:status', 'repo_deployment', 'public_repo', 'repo:invite', 'security_events'],
  user: ['read:user', 'user:email', 'user:follow'],
};

/** The scope parameter (space or comma separated) as a list of known scopes, in the order asked, once each. */
export function parseScopes(text: string | undefined): string[] {
  const asked = (text ?? '').split(/[\s,]+/).filter(Boolean);
  return [...new Set(asked.filter((s) => (knownScopes as readonly string[]).includes(s)))];
}

/** Stored and answered form: comma separated, as in the token answer's `scope`. */
export const joinScopes = (scopes: readonly string[]) => scopes.join(',');

/** The x-oauth-scopes header form: comma and space. */
export const scopeHeader = (scopes: readonly string[]) => scopes.join(', ');

/** Whether a token holding `granted` may act with `needed`. */
export function hasScope(granted: readonly string[], needed: string): boolean {
  return granted.some((g) => g === needed || covers[g]?.includes(needed));
}

/** Narrowing only: a grant can drop asked scopes, never add unasked ones. */
export function narrowScopes(asked: readonly string[], kept: readonly string[]): string[] {
  return asked.filter((s) => kept.includes(s));
}
