import type { Context } from 'koa';

/**
 * Where a service takes application/x-www-form-urlencoded. Everywhere else it
 * takes JSON only: any page on the web can make a visitor's browser post a
 * form, but not JSON, which needs a CORS preflight no Gatehouse service answers.
 *
 * - `'all'`: a site of HTML forms that guards every unsafe request itself (web's CSRF check).
 * - `{ paths, origin }`: endpoints whose protocol is form-encoded (OAuth's token endpoint).
 *   Their callers are servers, which send no Sec-Fetch-Site and no Origin, so a request a
 *   browser sent from another site (Sec-Fetch-Site: cross-site, or an Origin other than
 *   `origin`) is refused there, whatever its content type.
 */
export type FormPolicy = 'all' | { paths: readonly string[]; origin?: string };

/** Why a request to a form path is refused as cross-site, or undefined. */
export function crossSiteRefusal(forms: FormPolicy, ctx: Context): string | undefined {
  if (forms === 'all' || !formsAllowed(forms, ctx)) return undefined;
  if (ctx.get('sec-fetch-site') === 'cross-site')
    return 'A browser sent this from another site (Sec-Fetch-Site: cross-site).';
  const origin = ctx.get('origin');
  if (origin !== '' && origin !== forms.origin) return 'A browser sent this from another site (a foreign Origin).';
  return undefined;
}

export function formsAllowed(forms: FormPolicy, ctx: Context): boolean {
  return forms === 'all' || forms.paths.some((path) => path.toLowerCase() === routePath(ctx));
}

/** The path as a route matches it: case and a trailing slash do not count (Koa's router ignores both). */
function routePath(ctx: Context): string {
  const lower = ctx.path.toLowerCase();
  return lower.length > 1 && lower.endsWith('/') ? lower.slice(0, -1) : lower;
}
