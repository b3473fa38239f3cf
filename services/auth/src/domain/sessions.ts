import type { Queryable } from '@gatehouse/db';
import { AppError } from '@gatehouse/service-kit';
import type { AuthDeps } from '../deps.js';
import type { AccessClaims } from '../tokens/access-tokens.js';
import type { TokenResponse } from '../wire.js';
import { revokeAllFamilies, revokeFamily, rotate, startFamily } from '../tokens/refresh-tokens.js';
import { guardLogin, type LoginClient } from '../throttle/login-guard.js';
import { cutSessions, findUserByLogin } from '../users/users.js';

type GrantDeps = Pick<
  AuthDeps,
  'db' | 'clock' | 'settings' | 'passwords' | 'throttle' | 'audit' | 'accessTokens' | 'deviceTokens'
>;
type RefreshDeps = Pick<AuthDeps, 'db' | 'clock' | 'settings' | 'audit' | 'accessTokens' | 'tokenStatus'>;
type LogoutDeps = Pick<AuthDeps, 'db' | 'clock' | 'audit' | 'tokenStatus'>;

/**
 * The password grant. An unknown user, a wrong password and a locked client
 * take the same path and the same time (a hash, the dummy one for an unknown
 * user, is always checked) and get the same answer; see guardLogin for who
 * is locked or slowed. A success hands the client a device token (the same
 * one again when it sent it) to send with its next logins.
 */
export async function passwordGrant(
  deps: GrantDeps,
  identifier: string,
  password: string,
  client: LoginClient,
): Promise<TokenResponse> {
  const { ip } = client;
  const user = await findUserByLogin(deps.db, identifier);
  const guard = await guardLogin(deps, identifier, user?.id, client);
  const ok = user
    ? await deps.passwords.verify(password, user.password_hash)
    : await deps.passwords.verifyDummy(password);
  if (!user || !ok || guard.locked) {
    await guard.failed();
    await deps.audit(deps.db, guard.locked ? 'login_locked' : 'login_failed', { userId: user?.id, ip });
    throw new AppError('invalid_credentials');
  }
  await guard.succeeded();
  if (!user.email_verified_at) throw new AppError('email_not_confirmed');
  const tokens = await deps.db.transaction((tx) => openSession(deps, tx, user.id, ip, 'password'));
  return { ...tokens, device_token: guard.deviceToken ?? deps.deviceTokens.issue(user.id) };
}

/** Starts a login session (a refresh family) for a user already proven, inside the caller's transaction. */
export async function openSession(
  deps: Pick<AuthDeps, 'clock' | 'settings' | 'audit' | 'accessTokens'>,
  tx: Queryable,
  userId: string,
  ip: string,
  method: 'password' | 'github',
): Promise<TokenResponse> {
  const family = await startFamily(tx, userId, deps.clock.now(), deps.settings.refresh);
  await deps.audit(tx, 'login_succeeded', { userId, ip, details: { session: family.familyId, method } });
  return tokenResponse(deps, userId, family.familyId, family.token);
}

/** The refresh grant: rotate, and on reuse revoke the whole session. */
export async function refreshGrant(deps: RefreshDeps, presented: string, ip: string): Promise<TokenResponse> {
  const now = deps.clock.now();
  const result = await rotate(deps.db, presented, now, deps.settings.refresh);
  if (!result.ok) {
    if (result.reason === 'reused') {
      const afterCommit = await deps.db.transaction(async (tx) => {
        await revokeFamily(tx, result.familyId, now);
        await deps.audit(tx, 'refresh_reuse_detected', {
          userId: result.userId,
          ip,
          details: { session: result.familyId },
        });
        return deps.tokenStatus.record(tx, [{ kind: 'session', sessionId: result.familyId }]);
      });
      await afterCommit();
    }
    throw new AppError('invalid_refresh_token');
  }
  return tokenResponse(deps, result.userId, result.familyId, result.token);
}

function tokenResponse(
  deps: Pick<AuthDeps, 'accessTokens' | 'settings'>,
  userId: string,
  sessionId: string,
  refreshToken: string,
): TokenResponse {
  const { token } = deps.accessTokens.issue({ userId, sessionId });
  return {
    access_token: token,
    token_type: 'Bearer',
    expires_in: deps.settings.accessTtlSeconds,
    refresh_token: refreshToken,
  };
}

/**
 * Ends the caller's session: its access token is blacklisted until it
 * expires and its refresh family revoked. `global` ends every session of
 * the user, and refuses every access token issued before now.
 */
export async function logout(
  deps: LogoutDeps,
  claims: AccessClaims,
  scope: 'local' | 'global',
  ip: string,
): Promise<void> {
  const now = deps.clock.now();
  const validFrom = Math.floor(now.getTime() / 1000);
  const afterCommit = await deps.db.transaction(async (tx) => {
    await revokeFamily(tx, claims.sid, now);
    let others: string[] = [];
    if (scope === 'global') {
      others = await revokeAllFamilies(tx, claims.sub, now);
      await cutSessions(tx, claims.sub, validFrom, now);
    }
    await deps.audit(tx, scope === 'global' ? 'logout_global' : 'logout', {
      userId: claims.sub,
      ip,
      details: { session: claims.sid },
    });
    return deps.tokenStatus.record(tx, [
      { kind: 'jti', jti: claims.jti, expiresAt: new Date(claims.exp * 1000) },
      ...[claims.sid, ...others].map((sessionId) => ({ kind: 'session' as const, sessionId })),
      ...(scope === 'global' ? [{ kind: 'user' as const, userId: claims.sub, validFrom }] : []),
    ]);
  });
  await afterCommit();
}
