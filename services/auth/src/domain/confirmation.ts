import { timingSafeEqual } from 'node:crypto';
import { AppError } from '@gatehouse/service-kit';
import type { AuthDeps } from '../deps.js';
import { accountPolicy, ipPolicy, throttleKeys, tooManyRequests } from '../throttle/throttle.js';
import { findOneTimeToken, redeemOneTimeToken, retireOneTimeTokens } from '../tokens/one-time-tokens.js';
import { hashSecretToken } from '../tokens/secret-token.js';
import { findUserById, markEmailVerified, publicUser, type UserRow } from '../users/users.js';
import type { ConfirmResponse } from '../wire.js';

/** What the confirmer shows besides the link: the signup binding, or the account's password. */
export interface ConfirmProof {
  binding?: string | undefined;
  password?: string | undefined;
}

type ConfirmDeps = Pick<AuthDeps, 'db' | 'clock' | 'passwords' | 'throttle' | 'audit'>;

/**
 * Confirms the address a link was sent to, but only for someone who also
 * proves they chose the password: the binding signup handed to their browser,
 * or the password itself. The link alone proves only that the mailbox exists
 * (a mail scanner has it too), and an attacker who signed up with someone
 * else's address must not end up with that address verified.
 *
 * The link works once. Afterwards, and for an address confirmed some other
 * way, it answers "already confirmed" and says nothing about the account.
 */
export async function confirmEmail(
  deps: ConfirmDeps,
  token: string,
  proof: ConfirmProof,
  ip: string,
): Promise<ConfirmResponse> {
  const found = await findOneTimeToken(deps.db, 'confirm_email', token, deps.clock.now());
  const user = found ? await findUserById(deps.db, found.userId) : undefined;
  if (!found || !user) throw new AppError('invalid_or_expired_token');
  if (user.email_verified_at) return { status: 'already_confirmed' };
  if (found.used) throw new AppError('invalid_or_expired_token');
  const method = await provenBy(deps, user, proof, ip);
  return deps.db.transaction(async (tx) => {
    const now = deps.clock.now();
    // Another request may have used the link since it was looked at: exactly one confirms.
    const redeemed = await redeemOneTimeToken(tx, 'confirm_email', token, now, { consume: true });
    if (redeemed !== user.id) return { status: 'already_confirmed' as const };
    await retireOneTimeTokens(tx, 'confirm_email', user.id, now);
    const { user: row, newly } = (await markEmailVerified(tx, user.id, now))!;
    if (newly) await deps.audit(tx, 'email_confirmed', { userId: user.id, ip, details: { proof: method } });
    // The owner has just proven the mailbox theirs: the minute signup claimed need not hold up their next mail.
    if (user.email) await deps.throttle.reset(throttleKeys.mail(user.email), tx);
    return { status: 'confirmed' as const, user: publicUser(row) };
  });
}

/**
 * Which proof holds, or throws. A wrong password counts against the account
 * and the client exactly like a failed login, and a locked one is refused
 * before any hashing.
 */
async function provenBy(
  deps: ConfirmDeps,
  user: UserRow,
  proof: ConfirmProof,
  ip: string,
): Promise<'binding' | 'password'> {
  if (proof.binding !== undefined && bindingMatches(user.signup_binding_hash, proof.binding)) return 'binding';
  // No audit row here: a bare link holder (a scanner, a HEAD) must not write anything.
  if (proof.password === undefined || user.password_hash === null) throw new AppError('confirmation_proof_required');
  // Per (account, address), as a login from an unknown client: guesses elsewhere never block the owner.
  const clientKey = throttleKeys.client(throttleKeys.user(user.id), ip);
  const wait = await deps.throttle.retryAfter([throttleKeys.ip(ip), clientKey]);
  if (wait > 0) throw tooManyRequests(wait, 'Too many wrong passwords.');
  if (await deps.passwords.verify(proof.password, user.password_hash)) {
    await deps.throttle.reset(clientKey);
    return 'password';
  }
  await deps.throttle.recordFailure(throttleKeys.ip(ip), ipPolicy);
  await deps.throttle.recordFailure(clientKey, accountPolicy);
  await deps.audit(deps.db, 'email_confirm_refused', { userId: user.id, ip, details: { reason: 'wrong_password' } });
  throw new AppError('invalid_credentials', { message: 'The password is wrong.' });
}

function bindingMatches(storedHash: string | null, binding: string): boolean {
  if (storedHash === null) return false;
  const presented = Buffer.from(hashSecretToken(binding));
  const stored = Buffer.from(storedHash);
  return presented.length === stored.length && timingSafeEqual(presented, stored);
}
