import { createHmac } from 'node:crypto';
import type { HashPool } from './hash-pool.js';

export interface PasswordHasher {
  hash(password: string): Promise<string>;
  verify(password: string, hash: string): Promise<boolean>;
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
  const hash = async (password: string) => (await pool.run({ op: 'hash', input: prehash(password), cost: options.cost })) as string;
  const verify = async (password: string, stored: string) =>
    (await pool.run({ op: 'compare', input: prehash(password), hash: stored })) as boolean;
  return {
    hash,
    verify,
    async verifyDummy(password) {
      dummy ??= hash('gatehouse dummy password for unknown users');
      await verify(password, await dummy);
      return false;
    },
  };
}
