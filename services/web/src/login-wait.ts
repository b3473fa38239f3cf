import { lockMs, loginLockPolicy } from '@gatehouse/service-kit';
import type { SessionData } from './session/session.js';

/**
 * The "please wait" of the login page, from this browser's own failures only.
 * Auth never says an attempt was refused for a lock (it would tell a stranger
 * which accounts are under attack and link a username to its email), so web
 * counts what this browser did under the same policy and tells its person.
 */
export function loginWaitSeconds(session: Pick<SessionData, 'loginFailures'>, now: number): number {
  const failures = session.loginFailures;
  if (!failures) return 0;
  const until = failures.lastAt + lockMs(failures.count, loginLockPolicy);
  return until > now ? Math.ceil((until - now) / 1000) : 0;
}

/** Counts a failed login of this browser; returns the wait it now has (0 when none). */
export function noteLoginFailure(session: Pick<SessionData, 'loginFailures'>, now: number): number {
  const previous = session.loginFailures;
  const fresh = !previous || now - previous.lastAt > loginLockPolicy.windowMs;
  session.loginFailures = { count: fresh ? 1 : previous.count + 1, lastAt: now };
  return loginWaitSeconds(session, now);
}
