import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

/**
 * OWASP's device cookie: proof that this client logged in to this account
 * before. `<device id>.<user id>.<HMAC of both>`; nothing is stored, and a
 * token for another account (or a forged one) is simply no token. A client
 * that presents one has its login failures counted on the device alone, so
 * failures from anywhere else never lock it out.
 */
export interface DeviceTokens {
  issue(userId: string): string;
  /** The device id when the token is genuine and was issued for `userId`. */
  deviceOf(token: string | undefined, userId: string): string | undefined;
}

export function createDeviceTokens(key: Buffer): DeviceTokens {
  const sign = (deviceId: string, userId: string) =>
    createHmac('sha256', key).update(`${deviceId}.${userId}`).digest('base64url');
  return {
    issue(userId) {
      const deviceId = randomBytes(16).toString('base64url');
      return `${deviceId}.${userId}.${sign(deviceId, userId)}`;
    },
    deviceOf(token, userId) {
      const [deviceId, tokenUser, signature, ...rest] = (token ?? '').split('.');
      if (!deviceId || !signature || rest.length || tokenUser !== userId) return undefined;
      const expected = Buffer.from(sign(deviceId, userId));
      const given = Buffer.from(signature);
      return given.length === expected.length && timingSafeEqual(given, expected) ? deviceId : undefined;
    },
  };
}
