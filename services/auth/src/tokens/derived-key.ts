import { hkdfSync } from 'node:crypto';

/**
 * A 256-bit key for one purpose, derived from PASSWORD_PEPPER (HKDF-SHA256,
 * the purpose as info). The pepper is the one secret only auth holds
 * (SERVICE_SECRET is shared with other services); separate purposes give
 * independent keys, so one never signs or derives what another means.
 */
export function derivedKey(pepper: string, purpose: 'device-token' | 'refresh-successor'): Buffer {
  return Buffer.from(hkdfSync('sha256', pepper, 'gatehouse', `gatehouse ${purpose} v1`, 32));
}
