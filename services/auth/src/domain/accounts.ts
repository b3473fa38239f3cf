import { AppError } from '@gatehouse/service-kit';
import { link, type AuthDeps } from '../deps.js';
import { enqueueMail } from '../mail/outbox.js';
import { accountExistsMail, confirmationMail } from '../mail/templates.js';
import { checkPassword } from '../passwords/password-policy.js';
import { createOneTimeToken, redeemOneTimeToken } from '../tokens/one-time-tokens.js';
import { throttleKeys, tooManyRequests } from './throttle.js';
import { findUserByEmail, publicUser, type PublicUser, type UserRow } from './users.js';

const mailIntervalMs = 60_000;

export interface SignupInput {
  username: string;
  email: string;
  password: string;
}

/**
 * Creates an unconfirmed account and queues its confirmation mail. An
 * address that already has an account gets the same answer, and its owner a
 * notice, so the response never tells a stranger who is registered.
 */
export async function signup(deps: AuthDeps, input: SignupInput, ip: string): Promise<void> {
  const problem = checkPassword(input.password, input, deps.commonPasswords);
  if (problem) throw new AppError('validation_failed', { errors: [problem] });
  const passwordHash = await deps.passwords.hash(input.password);
  const now = deps.clock.now();
  await deps.db.transaction(async (tx) => {
    const inserted = await tx.query<{ id: string }>(
      `INSERT INTO users (username, email, password_hash, created_at, updated_at) VALUES ($1, $2, $3, $4, $4)
       ON CONFLICT DO NOTHING RETURNING id`,
      [input.username, input.email, passwordHash, now],
    );
    const id = inserted.rows[0]?.id;
    if (id) {
      const token = await createOneTimeToken(tx, 'confirm_email', id, now, deps.settings.confirmTtlMs);
      await enqueueMail(tx, confirmationMail(input.email, input.username, confirmLink(deps, token), hours(deps)), now);
      await deps.audit(tx, 'signup', { userId: id, ip });
      return;
    }
    const owner = await findUserByEmail(tx, input.email);
    if (!owner) throw new AppError('username_taken');
    await enqueueMail(
      tx,
      accountExistsMail(owner.email, owner.username, link(deps.settings, '/login'), link(deps.settings, '/forgot-password')),
      now,
    );
    await deps.audit(tx, 'signup_existing_email', { userId: owner.id, ip });
  });
  deps.mailQueued();
}

/**
 * Confirms the address a link was sent to. Repeating it while the link is
 * valid succeeds again: a mail scanner that opens the link first must not
 * leave the person with an error.
 */
export async function confirmEmail(deps: AuthDeps, token: string, ip: string): Promise<PublicUser> {
  return deps.db.transaction(async (tx) => {
    const now = deps.clock.now();
    const userId = await redeemOneTimeToken(tx, 'confirm_email', token, now, { consume: false });
    if (!userId) throw new AppError('invalid_or_expired_token');
    const { rows } = await tx.query<UserRow & { newly: boolean }>(
      `UPDATE users SET email_verified_at = coalesce(email_verified_at, $2), updated_at = $2
       WHERE id = $1 RETURNING id, username, email, email_verified_at, created_at, (email_verified_at = $2) AS newly`,
      [userId, now],
    );
    const user = rows[0]!;
    if (user.newly) await deps.audit(tx, 'email_confirmed', { userId, ip });
    return publicUser(user);
  });
}

/** At most one confirmation mail a minute per address, whether or not it has an account. */
export async function resendConfirmation(deps: AuthDeps, email: string): Promise<void> {
  await limitMail(deps, 'confirm', email);
  const now = deps.clock.now();
  const queued = await deps.db.transaction(async (tx) => {
    const user = await findUserByEmail(tx, email);
    if (!user || user.email_verified_at) return false;
    const token = await createOneTimeToken(tx, 'confirm_email', user.id, now, deps.settings.confirmTtlMs);
    await enqueueMail(tx, confirmationMail(user.email, user.username, confirmLink(deps, token), hours(deps)), now);
    return true;
  });
  if (queued) deps.mailQueued();
}

/** Throws 429 if this address was mailed for this purpose within the last minute, else claims the minute. */
export async function limitMail(deps: AuthDeps, purpose: string, email: string): Promise<void> {
  const key = throttleKeys.mail(purpose, email);
  const wait = await deps.throttle.retryAfter([key]);
  if (wait > 0) {
    throw tooManyRequests(wait, 'A mail was sent to this address moments ago.');
  }
  await deps.throttle.lockFor(key, mailIntervalMs);
}

const confirmLink = (deps: AuthDeps, token: string) => link(deps.settings, '/confirm-email', token);
const hours = (deps: AuthDeps) => Math.round(deps.settings.confirmTtlMs / 3_600_000);
