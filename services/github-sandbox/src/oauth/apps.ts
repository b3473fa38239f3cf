import { createHash, timingSafeEqual } from 'node:crypto';
import type { OAuthAppConfig } from '../config.js';

export interface OAuthApps {
  find(clientId: string): OAuthAppConfig | undefined;
  /** The app when the secret is right; constant-time whatever the lengths. */
  authenticate(clientId: string, clientSecret: string): OAuthAppConfig | undefined;
  all(): readonly OAuthAppConfig[];
}

const digest = (s: string) => createHash('sha256').update(s).digest();

export function createOAuthApps(apps: readonly OAuthAppConfig[]): OAuthApps {
  const byId = new Map(apps.map((a) => [a.client_id, a]));
  return {
    find: (clientId) => byId.get(clientId),
    authenticate(clientId, clientSecret) {
      const app = byId.get(clientId);
      const ok = timingSafeEqual(digest(clientSecret), digest(app?.client_secret ?? ''));
      return app && ok ? app : undefined;
    },
    all: () => apps,
  };
}

/**
 * GitHub's rule: the redirect_uri's host and port equal the callback URL's,
 * and its path is the callback's path or below it. Absent, the callback URL is used.
 */
export function resolveRedirect(app: OAuthAppConfig, redirectUri: string | undefined): string | undefined {
  if (!redirectUri) return app.callback_url;
  let asked: URL;
  try {
    asked = new URL(redirectUri);
  } catch {
    return undefined;
  }
  const registered = new URL(app.callback_url);
  if (asked.protocol !== registered.protocol || asked.host !== registered.host) return undefined;
  const base = registered.pathname.replace(/\/$/, '');
  const path = asked.pathname;
  if (path !== registered.pathname && path !== base && !path.startsWith(`${base}/`)) return undefined;
  if (path.split('/').includes('..')) return undefined;
  return redirectUri;
}
