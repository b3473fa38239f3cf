import { AppError } from '@gatehouse/service-kit';
import type { AuthDeps, AuthSettings } from '../deps.js';
import { link } from '../mail/links.js';
import { enqueueMail } from '../mail/outbox.js';
import { accountExistsMail, confirmationMail } from '../mail/templates.js';
import { checkPassword } from '../passwords/password-policy.js';
import { throttleKeys, tooManyRequests } from '../throttle/throttle.js';
import { createOneTimeToken, redeemOneTimeToken } from '../tokens/one-time-tokens.js';
import { findUserByEmail, insertUser, markEmailVerified, publicUser, type PublicUser } from '../users/users.js';

const mailIntervalMs = 60_000;

export interface SignupInput {
  username: string;
  email: string;
  password: string;
}

type SignupDeps = Pick<
  AuthDeps,
  'db' | 'clock' | 'settings' | 'passwords' | 'commonPasswords' | 'audit' | 'mailQueued'
>;

/**
 * Creates an unconfirmed account and queues its confirmation mail. An
 * address that already has an account gets the same answer, and its owner a
 * notice, so the response never tells a stranger who is registered.
 */
export async function signup(deps: SignupDeps, input: SignupInput, ip: string): Promise<void> {
  const problem = checkPassword(input.password, input, deps.commonPasswords);
  if (problem) throw new AppError('validation_failed', { errors: [problem] });
  const passwordHash = await deps.passwords.hash(input.password);
  const now = deps.clock.now();
  const { publicUrl } = deps.settings;
  await deps.db.transaction(async (tx) => {
    const id = await insertUser(tx, { username: input.username, email: input.email, passwordHash }, now);
    if (id) {
      const token = await createOneTimeToken(tx, 'confirm_email', id, now, deps.settings.confirmTtlMs);
      const confirmUrl = confirmLink(deps.settings, token);
      const mail = confirmationMail(input.email, input.username, confirmUrl, hours(deps.settings));
      await enqueueMail(tx, mail, now);
      await deps.audit(tx, 'signup', { userId: id, ip });
      return;
    }
    const owner = await findUserByEmail(tx, input.email);
    if (!owner) throw new AppError('username_taken');
    await enqueueMail(
      tx,
      accountExistsMail(owner.email, owner.username, link(publicUrl, '/login'), link(publicUrl, '/forgot-password')),
      now,
    );
    await deps.audit(tx, 'signup_existing_email', { userId: owner.id, ip });
  });
  deps.mailQueued();
}

type ConfirmDeps = Pick<AuthDeps, 'db' | 'clock' | 'audit'>;

/**
 * Confirms the address a link was sent to. Repeating it while the link is
 * valid succeeds again: a mail scanner that opens the link first must not
 * leave the person with an error.
 */
export async function confirmEmail(deps: ConfirmDeps, token: string, ip: string): Promise<PublicUser> {
  return deps.db.transaction(async (tx) => {
    const now = deps.clock.now();
    const userId = await redeemOneTimeToken(tx, 'confirm_email', token, now, { consume: false });
    if (!userId) throw new AppError('invalid_or_expired_token');
    const { user, newly } = (await markEmailVerified(tx, userId, now))!;
    if (newly) await deps.audit(tx, 'email_confirmed', { userId, ip });
    return publicUser(user);
  });
}

type ResendDeps = Pick<AuthDeps, 'db' | 'clock' | 'settings' | 'throttle' | 'mailQueued'>;

/** At most one confirmation mail a minute per address, whether or not it has an account. */
export async function resendConfirmation(deps: ResendDeps, email: string): Promise<void> {
  await limitMail(deps, 'confirm', email);
  const now = deps.clock.now();
  const queued = await deps.db.transaction(async (tx) => {
    const user = await findUserByEmail(tx, email);
    if (!user || user.email_verified_at) return false;
    const token = await createOneTimeToken(tx, 'confirm_email', user.id, now, deps.settings.confirmTtlMs);
    const mail = confirmationMail(user.email, user.username, confirmLink(deps.settings, token), hours(deps.settings));
    await enqueueMail(tx, mail, now);
    return true;
  });
  if (queued) deps.mailQueued();
}

/** Throws 429 if this address was mailed for this purpose within the last minute, else claims the minute. */
export async function limitMail(deps: Pick<AuthDeps, 'throttle'>, purpose: string, email: string): Promise<void> {
  const key = throttleKeys.mail(purpose, email);
  const wait = await deps.throttle.retryAfter([key]);
  if (wait > 0) {
    throw tooManyRequests(wait, 'A mail was sent to this address moments ago.');
  }
  await deps.throttle.lockFor(key, mailIntervalMs);
}

const confirmLink = (settings: AuthSettings, token: string) => link(settings.publicUrl, '/confirm-email', token);
const hours = (settings: AuthSettings) => Math.round(settings.confirmTtlMs / 3_600_000);
