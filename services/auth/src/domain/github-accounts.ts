import { randomBytes } from 'node:crypto';
import type { Queryable } from '@gatehouse/db';
import { AppError } from '@gatehouse/service-kit';
import type { AuthDeps } from '../deps.js';
import {
  findIdentityByGithubId,
  linkIdentity,
  lockGithubId,
  renameIdentity,
  unlinkOtherIdentities,
} from './github-identities.js';
import { openSession } from './sessions.js';
import type { TokenResponse } from '../wire.js';
import {
  findUserByEmail,
  findUserById,
  insertPasswordlessUser,
  publicUser,
  type PublicUser,
  type UserRow,
} from '../users/users.js';

export interface GithubAccount {
  id: number;
  login: string;
  /** The GitHub account's public email, if it has one: used only to refuse a silent merge. */
  email?: string | null | undefined;
}

export type GithubLoginResult = TokenResponse & { created: boolean; user: PublicUser };

type GithubDeps = Pick<AuthDeps, 'db' | 'clock' | 'settings' | 'audit' | 'accessTokens'>;

/**
 * Signs in with GitHub. The account is the one linked to GitHub's numeric id
 * (never matched by login or email). Without one, a new account is created,
 * unless the GitHub email belongs to an existing account: that is refused, so
 * a GitHub account can never take over a password account; its owner links
 * GitHub from /account after proving their password.
 */
export async function githubLogin(deps: GithubDeps, github: GithubAccount, ip: string): Promise<GithubLoginResult> {
  return deps.db.transaction(async (tx) => {
    await lockGithubId(tx, github.id);
    const identity = await findIdentityByGithubId(tx, github.id);
    let user: UserRow | undefined;
    if (identity) {
      user = await findUserById(tx, identity.user_id);
      await renameIdentity(tx, github.id, github.login);
    } else {
      if (github.email && (await findUserByEmail(tx, github.email))) {
        await deps.audit(tx, 'github_signup_refused', {
          ip,
          details: { github_id: github.id, reason: 'email_in_use' },
        });
        throw new AppError('github_email_in_use');
      }
      user = await createAccount(tx, deps.clock.now(), github.login);
      await linkIdentity(tx, user.id, github.id, github.login, deps.clock.now());
      await deps.audit(tx, 'github_signup', {
        userId: user.id,
        ip,
        details: { github_id: github.id, login: github.login },
      });
    }
    if (!user) throw new AppError('unexpected_failure', { message: 'A GitHub identity points at no account.' });
    const tokens = await openSession(deps, tx, user.id, ip, 'github');
    return { created: !identity, user: publicUser(user), ...tokens };
  });
}

/** Links a GitHub account to a signed-in person (the connect flow); refused if it signs in to someone else. */
export async function githubLink(
  deps: Pick<AuthDeps, 'db' | 'clock' | 'audit'>,
  userId: string,
  github: GithubAccount,
  ip: string,
) {
  return deps.db.transaction(async (tx) => {
    await lockGithubId(tx, github.id);
    if (!(await findUserById(tx, userId))) throw new AppError('user_not_found');
    const owner = await findIdentityByGithubId(tx, github.id);
    if (owner && owner.user_id !== userId) throw new AppError('github_already_linked');
    await unlinkOtherIdentities(tx, userId, github.id);
    await linkIdentity(tx, userId, github.id, github.login, deps.clock.now());
    if (!owner)
      await deps.audit(tx, 'github_linked', { userId, ip, details: { github_id: github.id, login: github.login } });
    return { linked: true, github: { id: github.id, login: github.login } };
  });
}

const maxUsername = 32;

/** GitHub logins are letters, digits and dashes, up to 39; ours are 3 to 32 of a wider set. */
export function usernameFromLogin(login: string): string {
  const cleaned = login
    .replace(/[^A-Za-z0-9_.-]/g, '-')
    .replace(/^[^A-Za-z0-9]+/, '')
    .slice(0, maxUsername);
  if (cleaned.length >= 3) return cleaned;
  return `${cleaned || 'github'}-gh`.slice(0, maxUsername);
}

const withSuffix = (base: string, suffix: string) => `${base.slice(0, maxUsername - suffix.length - 1)}-${suffix}`;

/** The login as username, or login-2, login-3…, then a random suffix when those are all taken. */
async function createAccount(tx: Queryable, now: Date, login: string): Promise<UserRow> {
  const base = usernameFromLogin(login);
  const candidates = [base, ...[2, 3, 4, 5].map((n) => withSuffix(base, String(n)))];
  for (let i = 0; i < 5; i++) candidates.push(withSuffix(base, randomBytes(3).toString('hex')));
  for (const username of candidates) {
    const user = await insertPasswordlessUser(tx, username, now);
    if (user) return user;
  }
  throw new AppError('username_taken', { message: 'No free username could be made from the GitHub login.' });
}
