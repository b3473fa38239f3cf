import { setTimeout as sleep } from 'node:timers/promises';
import type { AuthDeps } from '../deps.js';
import { accountPolicy, ipPolicy, throttleKeys, tooManyRequests } from './throttle.js';

type GuardDeps = Pick<AuthDeps, 'throttle' | 'deviceTokens' | 'settings'>;

export interface LoginClient {
  ip: string;
  /** The device token this client got at an earlier login, if it sent one. */
  deviceToken?: string | undefined;
}

export interface LoginGuard {
  /** This client may not log in now; the caller answers exactly as for a wrong password. */
  locked: boolean;
  /** The device token the client holds for this account, kept across logins. */
  deviceToken: string | undefined;
  failed(): Promise<void>;
  succeeded(): Promise<void>;
}

/** Slowdown of an identifier after `failures` recent failures on it: none at first, then doubling to the cap. */
export function slowdownMs(failures: number, capMs: number): number {
  const over = failures - accountPolicy.threshold;
  return over <= 0 ? 0 : Math.min(capMs, 250 * 2 ** (over - 1));
}

/**
 * The OWASP device-cookie scheme, so nobody can lock the owner out:
 * - A client with a device token for the account is counted on its own;
 *   failures anywhere else never block it.
 * - An unknown client is locked per (account, address), escalating as
 *   `accountPolicy` says; one address guessing is stopped, others are not.
 * - Every unknown client is slowed by the identifier's recent failures,
 *   capped at LOGIN_SLOWDOWN_MAX_MS and never refused, so a distributed
 *   guesser gains little and the owner always gets in.
 * A locked client is told nothing: the caller still checks a hash and answers
 * as for a wrong password. The slowdown is keyed by the identifier as typed,
 * not the account, so a slow email after failures on a username never shows
 * that the two belong together. Only the address's own spray lock is a 429:
 * it says nothing about any account.
 */
export async function guardLogin(
  deps: GuardDeps,
  identifier: string,
  userId: string | undefined,
  client: LoginClient,
): Promise<LoginGuard> {
  const { throttle } = deps;
  const deviceId = userId ? deps.deviceTokens.deviceOf(client.deviceToken, userId) : undefined;
  if (deviceId) {
    const key = throttleKeys.device(deviceId);
    const locked = (await throttle.retryAfter([key])) > 0;
    return {
      locked,
      deviceToken: client.deviceToken,
      failed: async () => {
        if (!locked) await throttle.recordFailure(key, accountPolicy);
      },
      succeeded: () => throttle.reset(key),
    };
  }
  const ipKey = throttleKeys.ip(client.ip);
  const clientKey = throttleKeys.client(
    userId ? throttleKeys.user(userId) : throttleKeys.account(identifier),
    client.ip,
  );
  const slowKey = throttleKeys.slowdown(identifier);
  const [ipWait, clientWait, failures] = await Promise.all([
    throttle.retryAfter([ipKey]),
    throttle.retryAfter([clientKey]),
    throttle.failures(slowKey, accountPolicy),
  ]);
  if (ipWait > 0) throw tooManyRequests(ipWait, 'Too many failed attempts from your network.');
  const delay = slowdownMs(failures, deps.settings.loginSlowdownMaxMs);
  if (delay > 0) await sleep(delay);
  const locked = clientWait > 0;
  return {
    locked,
    deviceToken: undefined,
    failed: async () => {
      await throttle.recordFailure(ipKey, ipPolicy);
      // While locked, tries do not lengthen the lock (the owner's included); it escalates on failures after it.
      if (!locked) await throttle.recordFailure(clientKey, accountPolicy);
      await throttle.recordFailure(slowKey, { ...accountPolicy, threshold: Number.POSITIVE_INFINITY });
    },
    succeeded: () => throttle.reset(clientKey),
  };
}
