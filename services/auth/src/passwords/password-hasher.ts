import { createHmac } from 'node:crypto';
import type { HashPool } from './hash-pool.js';

export interface PasswordHasher {
  hash(password: string): Promise<string>;
  /** A null hash (an account without a password) never matches, after the same time as a real check. */
  verify(password: string, hash: string | null): Promise<boolean>;
  /** Spends the same time as verify against a real hash, for unknown users. */
  verifyDummy(password: string): Promise<false>;
}

/**
 * bcrypt reads only the first 72 bytes of its input, so two long
 * passphrases sharing a prefix would both open an account. Every password is
 * first HMAC-SHA384'd with a server-side pepper (64 base64 chars, under the
 * limit): all its bytes count, and a stolen hash table is useless without
 * the pepper.
 */
export function createPasswordHasher(pool: HashPool, options: { pepper: string; cost: number }): PasswordHasher {
  const prehash = (password: string) => createHmac('sha384', options.pepper).update(password, 'utf8').digest('base64');
  let dummy: Promise<string> | undefined;
  const hash = async (password: string) =>
    (await pool.run({ op: 'hash', input: prehash(password), cost: options.cost })) as string;
  const compare = async (password: string, stored: string) =>
    (await pool.run({ op: 'compare', input: prehash(password), hash: stored })) as boolean;
  const verifyDummy = async (password: string): Promise<false> => {
    dummy ??= hash('gatehouse dummy password for unknown users');
    await compare(password, await dummy);
    return false;
  };
  return {
    hash,
    verify: (password, stored) => (stored === null ? verifyDummy(password) : compare(password, stored)),
    verifyDummy,
  };
}
