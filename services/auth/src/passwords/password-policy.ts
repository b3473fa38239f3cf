import { readFileSync } from 'node:fs';
import { fieldError, type FieldError } from '@gatehouse/service-kit';

export const minPasswordLength = 8;
// Far above any passphrase, low enough that hashing it costs nothing extra.
export const maxPasswordLength = 256;

export type CommonPasswords = ReadonlySet<string>;

export function loadCommonPasswords(file: string): CommonPasswords {
  const lines = readFileSync(file, 'utf8').split('\n');
  return new Set(lines.filter((line) => line && !line.startsWith('#')).map((line) => line.toLowerCase()));
}

/**
 * NIST 800-63B rules: a length floor, a blocklist, no composition rules.
 * The password is judged exactly as typed: no trimming, no case folding, no
 * Unicode normalisation, so what was set is what logs in.
 */
export function checkPassword(
  password: string,
  context: { username?: string | undefined; email?: string | null | undefined },
  common: CommonPasswords,
  field = 'password',
): FieldError | null {
  const length = [...password].length;
  if (length < minPasswordLength) {
    return fieldError(field, 'password_too_short', `Use at least ${minPasswordLength} characters.`);
  }
  if (length > maxPasswordLength) {
    return fieldError(field, 'password_too_long', `Use at most ${maxPasswordLength} characters.`);
  }
  const lower = password.toLowerCase();
  if (common.has(lower)) {
    return fieldError(field, 'password_common');
  }
  const words = [context.username, context.email, context.email?.split('@')[0]].filter(
    (w): w is string => typeof w === 'string' && w.length >= 3,
  );
  if (words.some((word) => lower.includes(word.toLowerCase()))) {
    return fieldError(field, 'password_contains_identity');
  }
  return null;
}
