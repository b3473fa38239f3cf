import { createCipheriv, createDecipheriv, createHmac, createSecretKey, hkdfSync, randomBytes } from 'node:crypto';

/**
 * Session records hold the person's access and refresh tokens, so a copy of
 * the store must not be a copy of everyone's login. Records are filed under
 * an HMAC of the session id and sealed with a key derived from the id itself:
 * without the cookie, a row can be neither found by id nor read.
 */
export interface Sealer {
  storageKey(sessionId: string): string;
  seal(sessionId: string, data: unknown): string;
  open(sessionId: string, sealed: string): unknown;
}

const recentSessionCount = 4096;

export function createSealer(secret: string): Sealer {
  // Parsed once: turning raw bytes into a key on every call costs more than the HMAC itself.
  const master = createSecretKey(Buffer.from(secret, 'utf8'));
  // Every page view finds and opens its record: a CPU profile of the signed-in pages showed the HMAC and HKDF
  // among the larger costs, so the last few thousand sessions' values are kept. They are worth no more than the
  // master secret this process holds anyway.
  const recent = new Map<string, { storageKey: string; key: Buffer }>();
  const derived = (sessionId: string) => {
    const known = recent.get(sessionId);
    if (known) return known;
    const values = {
      storageKey: createHmac('sha256', master).update(`session-id:${sessionId}`).digest('base64url'),
      key: Buffer.from(hkdfSync('sha256', master, 'gatehouse-web-session', sessionId, 32)),
    };
    if (recent.size >= recentSessionCount) recent.delete(recent.keys().next().value!);
    recent.set(sessionId, values);
    return values;
  };
  const keyFor = (sessionId: string) => derived(sessionId).key;
  return {
    storageKey: (sessionId) => derived(sessionId).storageKey,
    seal(sessionId, data) {
      const iv = randomBytes(12);
      const cipher = createCipheriv('aes-256-gcm', keyFor(sessionId), iv);
      const body = Buffer.concat([cipher.update(JSON.stringify(data), 'utf8'), cipher.final()]);
      return Buffer.concat([iv, cipher.getAuthTag(), body]).toString('base64url');
    },
    open(sessionId, sealed) {
      const raw = Buffer.from(sealed, 'base64url');
      if (raw.length < 29) return undefined;
      try {
        const decipher = createDecipheriv('aes-256-gcm', keyFor(sessionId), raw.subarray(0, 12));
        decipher.setAuthTag(raw.subarray(12, 28));
        const text = Buffer.concat([decipher.update(raw.subarray(28)), decipher.final()]).toString('utf8');
        return JSON.parse(text) as unknown;
      } catch {
        // A record sealed under another secret (rotated SESSION_SECRET) is simply no session.
        return undefined;
      }
    },
  };
}

/** 256 random bits; the cookie carries nothing else. */
export function newSessionId(): string {
  return randomBytes(32).toString('base64url');
}
