/** Scopes asked for: none to sign in; public_repo to mirror, repo only for a private mirror. */
export function scopeFor(purpose: 'signin' | 'connect', privateRepo: boolean): string {
  if (purpose === 'signin') return '';
  return privateRepo ? 'repo' : 'public_repo';
}

export const grantedScopes = (scope: string) => new Set(scope.split(/[\s,]+/).filter(Boolean));

/** `repo` includes `public_repo`; nothing else does. */
export function scopeSatisfies(granted: string, needed: string): boolean {
  const have = grantedScopes(granted);
  return [...grantedScopes(needed)].every((s) => have.has(s) || (s === 'public_repo' && have.has('repo')));
}
