import type { SandboxDeps } from '../deps.js';
import { findLiveToken, type TokenRow } from '../store/tokens.js';
import { findUserById, type SandboxUser } from '../store/users.js';
import { parseScopes } from './scopes.js';
import { hashSecret } from './secrets.js';

export interface Caller {
  token: TokenRow;
  user: SandboxUser;
  scopes: string[];
}

/** The live token's user and scopes, or undefined for an unknown or revoked token. */
export async function callerOf(deps: Pick<SandboxDeps, 'db'>, token: string): Promise<Caller | undefined> {
  if (!token) return undefined;
  const row = await findLiveToken(deps.db, hashSecret(token));
  if (!row) return undefined;
  const user = await findUserById(deps.db, row.user_id);
  return user ? { token: row, user, scopes: parseScopes(row.scope) } : undefined;
}

export type Credential =
  | { kind: 'token'; token: string }
  | { kind: 'basic'; user: string; password: string }
  | { kind: 'none' }
  | { kind: 'malformed' };

/** Authorization as GitHub reads it: `Bearer x`, `token x`, or Basic with the token as password. */
export function credentialOf(header: string): Credential {
  if (!header) return { kind: 'none' };
  const bearer = /^(?:bearer|token)\s+(\S+)\s*$/i.exec(header);
  if (bearer) return { kind: 'token', token: bearer[1]! };
  const basic = /^basic\s+([A-Za-z0-9+/=]+)\s*$/i.exec(header);
  if (basic) {
    const decoded = Buffer.from(basic[1]!, 'base64').toString('utf8');
    const colon = decoded.indexOf(':');
    if (colon >= 0) return { kind: 'basic', user: decoded.slice(0, colon), password: decoded.slice(colon + 1) };
  }
  return { kind: 'malformed' };
}
