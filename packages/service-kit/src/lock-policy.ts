/** How failures turn into a lock: a threshold, then a doubling lock up to a cap. */
export interface LockPolicy {
  /** Failures before the first lock. */
  threshold: number;
  /** First lock length; each further failure doubles it. */
  baseLockMs: number;
  maxLockMs: number;
  /** Failures older than this are forgotten. */
  windowMs: number;
}

/**
 * Login failures of one client (an address, or a device) on one account.
 * Auth enforces it; web applies the same policy to what one browser did, so
 * its "please wait" matches the lock auth keeps silent about.
 */
export const loginLockPolicy: LockPolicy = {
  threshold: 5,
  baseLockMs: 15_000,
  maxLockMs: 15 * 60_000,
  windowMs: 15 * 60_000,
};

/** How long `failures` recent failures lock for under `policy`; 0 below the threshold. */
export function lockMs(failures: number, policy: LockPolicy): number {
  if (failures < policy.threshold) return 0;
  return Math.min(policy.maxLockMs, policy.baseLockMs * 2 ** (failures - policy.threshold));
}
