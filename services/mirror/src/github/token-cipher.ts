import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';

export interface TokenKey {
  id: string;
  key: Buffer;
}

/** A token as stored: AES-256-GCM ciphertext, its IV and tag, and the id of the key that sealed it. */
export interface SealedToken {
  key_id: string;
  token_iv: Buffer;
  token_ciphertext: Buffer;
  token_tag: Buffer;
}

export interface TokenCipher {
  seal(token: string, aad: string): SealedToken;
  /** Throws when the key id is unknown or the ciphertext was tampered with. */
  open(sealed: SealedToken, aad: string): string;
}

/**
 * The first key seals; every configured key opens, so rotating is "prepend a
 * new key, keep the old one until its rows are re-sealed or gone". The AAD
 * binds a ciphertext to its row (the user id), so rows cannot be swapped.
 */
export function createTokenCipher(keys: readonly TokenKey[]): TokenCipher {
  const current = keys[0];
  if (!current) throw new Error('at least one token key is required');
  const byId = new Map(keys.map((k) => [k.id, k.key]));
  return {
    seal(token, aad) {
      const iv = randomBytes(12);
      const cipher = createCipheriv('aes-256-gcm', current.key, iv);
      cipher.setAAD(Buffer.from(aad));
      const ciphertext = Buffer.concat([cipher.update(token, 'utf8'), cipher.final()]);
      return { key_id: current.id, token_iv: iv, token_ciphertext: ciphertext, token_tag: cipher.getAuthTag() };
    },
    open(sealed, aad) {
      const key = byId.get(sealed.key_id);
      if (!key) throw new Error(`token key ${sealed.key_id} is not configured`);
      const decipher = createDecipheriv('aes-256-gcm', key, Buffer.from(sealed.token_iv));
      decipher.setAAD(Buffer.from(aad));
      decipher.setAuthTag(Buffer.from(sealed.token_tag));
      return Buffer.concat([decipher.update(Buffer.from(sealed.token_ciphertext)), decipher.final()]).toString('utf8');
    },
  };
}
