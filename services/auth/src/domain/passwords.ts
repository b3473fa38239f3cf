import { AppError } from '@gatehouse/service-kit';
import type { AuthDeps } from '../deps.js';
import { link } from '../mail/links.js';
import { enqueueMail } from '../mail/outbox.js';
import { passwordChangedMail, passwordResetMail } from '../mail/templates.js';
import { checkPassword } from '../passwords/password-policy.js';
import { accountPolicy, throttleKeys, tooManyRequests } from '../throttle/throttle.js';
import type { AccessClaims } from '../tokens/access-tokens.js';
import { createOneTimeToken, redeemOneTimeToken, retireOneTimeTokens } from '../tokens/one-time-tokens.js';
import { revokeAllFamilies } from '../tokens/refresh-tokens.js';
import type { Revocation } from '../tokens/token-status.js';
import { findUserByEmail, findUserById, setPassword, setPasswordFromReset } from '../users/users.js';
import { limitMail } from './accounts.js';

type ChangeDeps = Pick<
  AuthDeps,
  'db' | 'clock' | 'settings' | 'passwords' | 'commonPasswords' | 'throttle' | 'audit' | 'tokenStatus' | 'mailQueued'
>;

/** Changing a password needs the current one; other sessions and every reset link are ended, the caller's kept. */
export async function changePassword(
  deps: ChangeDeps,
  claims: AccessClaims,
  current: string,
  next: string,
  ip: string,
): Promise<void> {
  const user = await findUserById(deps.db, claims.sub);
  if (!user) throw new AppError('invalid_token');
  const key = throttleKeys.user(user.id);
  const wait = await deps.throttle.retryAfter([key]);
  if (wait > 0) throw tooManyRequests(wait, 'Too many wrong passwords.');
  if (!(await deps.passwords.verify(current, user.password_hash))) {
    await deps.throttle.recordFailure(key, accountPolicy);
    throw new AppError('invalid_credentials', { message: 'The current password is wrong.' });
  }
  const problem = checkPassword(next, user, deps.commonPasswords, 'new_password');
  if (problem) throw new AppError('validation_failed', { errors: [problem] });
  const hash = await deps.passwords.hash(next);
  const now = deps.clock.now();
  const afterCommit = await deps.db.transaction(async (tx) => {
    // Also ends every reset link issued before now: one asked for before the change would undo it.
    await setPassword(tx, user.id, hash, now);
    const families = await revokeAllFamilies(tx, user.id, now, claims.sid);
    if (user.email) await enqueueMail(tx, changedNotice(deps.settings.publicUrl, { ...user, email: user.email }), now);
    await deps.audit(tx, 'password_changed', { userId: user.id, ip });
    return deps.tokenStatus.record(tx, sessionsEnded(families));
  });
  await afterCommit();
  deps.mailQueued();
}

type ForgotDeps = Pick<AuthDeps, 'db' | 'clock' | 'settings' | 'throttle' | 'audit' | 'mailQueued'>;

/** Mails a reset link if the address has an account; the answer is the same either way. */
export async function forgotPassword(deps: ForgotDeps, email: string, ip: string): Promise<void> {
  await limitMail(deps, email);
  const now = deps.clock.now();
  const queued = await deps.db.transaction(async (tx) => {
    const user = await findUserByEmail(tx, email);
    if (!user) return false;
    // Only the newest link works: an older one lying in a mailbox is one more way in.
    await retireOneTimeTokens(tx, 'reset_password', user.id, now);
    const token = await createOneTimeToken(tx, 'reset_password', user.id, now, deps.settings.resetTtlMs);
    const minutes = Math.round(deps.settings.resetTtlMs / 60_000);
    const resetLink = link(deps.settings.publicUrl, '/reset-password', token);
    await enqueueMail(tx, passwordResetMail(user.email, user.username, resetLink, minutes), now);
    await deps.audit(tx, 'password_reset_requested', { userId: user.id, ip });
    return true;
  });
  if (queued) deps.mailQueued();
}

type ResetDeps = ChangeDeps;

/**
 * Sets a new password from a reset link. It ends every session and lifts
 * any login lock (a locked-out owner must be able to get back in), and it
 * proves the address, so an unconfirmed one becomes confirmed. No auto-login.
 */
export async function resetPassword(deps: ResetDeps, token: string, password: string, ip: string): Promise<void> {
  const peekedId = await redeemOneTimeToken(deps.db, 'reset_password', token, deps.clock.now(), { consume: false });
  const user = peekedId ? await findUserById(deps.db, peekedId) : undefined;
  if (!user) throw new AppError('invalid_or_expired_token');
  const problem = checkPassword(password, user, deps.commonPasswords);
  if (problem) throw new AppError('validation_failed', { errors: [problem] });
  const hash = await deps.passwords.hash(password);
  const now = deps.clock.now();
  const validFrom = Math.floor(now.getTime() / 1000);
  const afterCommit = await deps.db.transaction(async (tx) => {
    const userId = await redeemOneTimeToken(tx, 'reset_password', token, now, { consume: true });
    if (userId !== user.id) throw new AppError('invalid_or_expired_token');
    await setPasswordFromReset(tx, user.id, hash, validFrom, now);
    const families = await revokeAllFamilies(tx, user.id, now);
    await retireOneTimeTokens(tx, 'reset_password', user.id, now);
    await deps.throttle.reset(throttleKeys.user(user.id), tx);
    await deps.throttle.resetPrefix(throttleKeys.client(throttleKeys.user(user.id), ''), tx);
    if (user.email) await enqueueMail(tx, changedNotice(deps.settings.publicUrl, { ...user, email: user.email }), now);
    await deps.audit(tx, 'password_reset', { userId: user.id, ip });
    return deps.tokenStatus.record(tx, [...sessionsEnded(families), { kind: 'user', userId: user.id, validFrom }]);
  });
  await afterCommit();
  deps.mailQueued();
}

const changedNotice = (publicUrl: string, user: { email: string; username: string }) =>
  passwordChangedMail(user.email, user.username, link(publicUrl, '/forgot-password'));

const sessionsEnded = (families: readonly string[]): Revocation[] =>
  families.map((sessionId) => ({ kind: 'session', sessionId }));
