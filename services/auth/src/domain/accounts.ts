import { AppError } from '@gatehouse/service-kit';
import type { AuthDeps, AuthSettings } from '../deps.js';
import { link } from '../mail/links.js';
import { enqueueMail } from '../mail/outbox.js';
import { accountExistsMail, confirmationMail } from '../mail/templates.js';
import { checkPassword } from '../passwords/password-policy.js';
import { throttleKeys, tooManyRequests } from '../throttle/throttle.js';
import { createOneTimeToken } from '../tokens/one-time-tokens.js';
import { newSecretToken } from '../tokens/secret-token.js';
import type { SignupResponse } from '../wire.js';
import { findUserByEmail, insertUser } from '../users/users.js';

const mailIntervalMs = 60_000;

export interface SignupInput {
  username: string;
  email: string;
  password: string;
}

type SignupDeps = Pick<
  AuthDeps,
  'db' | 'clock' | 'settings' | 'passwords' | 'commonPasswords' | 'throttle' | 'audit' | 'mailQueued'
>;

/**
 * Creates an unconfirmed account and queues its confirmation mail. An
 * address that already has an account gets the same answer, and its owner a
 * notice (at most one mail a minute per address), so the response never
 * tells a stranger who is registered. The binding in the answer proves, with
 * the mailed link, that the confirmer is whoever chose the password; for an
 * existing address it is just as random and proves nothing.
 */
export async function signup(deps: SignupDeps, input: SignupInput, ip: string): Promise<SignupResponse> {
  const problem = checkPassword(input.password, input, deps.commonPasswords);
  if (problem) throw new AppError('validation_failed', { errors: [problem] });
  const passwordHash = await deps.passwords.hash(input.password);
  const binding = newSecretToken();
  const now = deps.clock.now();
  const { publicUrl } = deps.settings;
  const mailTurn = await takeMailTurn(deps, input.email);
  const queued = await deps.db.transaction(async (tx) => {
    const user = { username: input.username, email: input.email, passwordHash, bindingHash: binding.hash };
    const id = await insertUser(tx, user, now);
    if (id) {
      // A new account is mailed even inside the minute: it can happen once per address.
      const token = await createOneTimeToken(tx, 'confirm_email', id, now, deps.settings.confirmTtlMs);
      const mail = confirmationMail(
        input.email,
        input.username,
        confirmLink(deps.settings, token),
        terms(deps.settings),
      );
      await enqueueMail(tx, mail, now);
      await deps.audit(tx, 'signup', { userId: id, ip });
      return true;
    }
    const owner = await findUserByEmail(tx, input.email);
    if (!owner) throw new AppError('username_taken');
    await deps.audit(tx, 'signup_existing_email', { userId: owner.id, ip, details: { mailed: mailTurn === 0 } });
    if (mailTurn > 0) return false;
    const notice = accountExistsMail(
      owner.email,
      owner.username,
      link(publicUrl, '/login'),
      link(publicUrl, '/forgot-password'),
    );
    await enqueueMail(tx, notice, now);
    return true;
  });
  if (queued) deps.mailQueued();
  return {
    status: 'confirmation_sent',
    binding: binding.token,
    binding_expires_in: Math.round(deps.settings.unconfirmedTtlMs / 1000),
  };
}

type ResendDeps = Pick<AuthDeps, 'db' | 'clock' | 'settings' | 'throttle' | 'mailQueued'>;

/** At most one mail a minute per address, whether or not it has an account. */
export async function resendConfirmation(deps: ResendDeps, email: string): Promise<void> {
  await limitMail(deps, email);
  const now = deps.clock.now();
  const queued = await deps.db.transaction(async (tx) => {
    const user = await findUserByEmail(tx, email);
    if (!user || user.email_verified_at) return false;
    const token = await createOneTimeToken(tx, 'confirm_email', user.id, now, deps.settings.confirmTtlMs);
    const mail = confirmationMail(user.email, user.username, confirmLink(deps.settings, token), terms(deps.settings));
    await enqueueMail(tx, mail, now);
    return true;
  });
  if (queued) deps.mailQueued();
}

/**
 * Seconds until this address may be mailed again; 0 means now, and the next
 * minute is claimed. Every path that mails an address (signup, its notice,
 * resend, forgot) takes its turn here, so together they send one a minute.
 */
const takeMailTurn = (deps: Pick<AuthDeps, 'throttle'>, email: string): Promise<number> =>
  deps.throttle.claim(throttleKeys.mail(email), mailIntervalMs);

/** Throws 429 if this address was mailed within the last minute, else claims the minute. */
export async function limitMail(deps: Pick<AuthDeps, 'throttle'>, email: string): Promise<void> {
  const wait = await takeMailTurn(deps, email);
  if (wait > 0) throw tooManyRequests(wait, 'A mail was sent to this address moments ago.');
}

const confirmLink = (settings: AuthSettings, token: string) => link(settings.publicUrl, '/confirm-email', token);
const terms = (settings: AuthSettings) => ({
  hours: Math.round(settings.confirmTtlMs / 3_600_000),
  keepDays: Math.round(settings.unconfirmedTtlMs / 86_400_000),
});
