import { isAppError } from '@gatehouse/service-kit';
import { GithubError } from '../github/github-error.js';
import type { JobPatch, JobRow } from '../store/mirror-jobs.js';

export const maxAttempts = 5;
const secondaryMinimumMs = 60_000;
const maxBackoffMs = 5 * 60_000;

const fail = (code: string, message: string): JobPatch => ({
  status: 'failed',
  error_code: code,
  error_message: message,
  message,
});

/**
 * What a failed stage becomes. Waits are times in the job row, not sleeps:
 * the job is picked up again when the (injectable) clock passes them.
 */
export function onStageFailure(job: JobRow, err: unknown, now: Date, random = Math.random): JobPatch {
  if (isAppError(err)) return fail(err.code, err.message);
  if (!(err instanceof GithubError)) return fail('unexpected_failure', 'Something went wrong on our side.');
  const attempts = job.attempts + 1;
  const wait = (until: Date, message: string): JobPatch => ({
    status: 'waiting',
    waiting_until: until,
    attempts,
    message,
    lease_until: null,
  });
  switch (err.failure) {
    case 'unauthorized':
      return fail(
        'github_reconnect_required',
        'GitHub no longer accepts the stored authorization. Please reconnect GitHub.',
      );
    case 'rate_limited': {
      const until = err.retryAt ?? new Date(now.getTime() + secondaryMinimumMs);
      return wait(until, `Waiting for GitHub until ${until.toISOString()} (rate limit).`);
    }
    case 'secondary_rate_limited': {
      if (attempts > maxAttempts)
        return fail('github_rate_limited', 'GitHub asked us to slow down too many times. Try again later.');
      const backoff = attempts > 1 ? now.getTime() + secondaryMinimumMs * 2 ** (attempts - 2) : 0;
      const until = new Date(Math.max(err.retryAt?.getTime() ?? now.getTime() + secondaryMinimumMs, backoff));
      return wait(until, `Waiting for GitHub until ${until.toISOString()} (secondary rate limit).`);
    }
    case 'forbidden':
      if (err.message === 'workflow_scope') {
        return fail(
          'github_workflow_scope',
          'GitHub refused files under .github/workflows because the connection lacks the workflow scope.',
        );
      }
      return fail('unexpected_failure', `GitHub refused: ${err.message}`);
    case 'unavailable':
    case 'unexpected': {
      if (attempts > maxAttempts)
        return fail('github_unavailable', 'GitHub did not answer after several tries. Try again later.');
      // Bounded exponential backoff with jitter (half to full delay).
      const delay = Math.min(maxBackoffMs, 2000 * 2 ** attempts) * (0.5 + random() / 2);
      const until = new Date(now.getTime() + delay);
      return wait(until, `GitHub is not answering; trying again at ${until.toISOString()}.`);
    }
    default:
      return fail('unexpected_failure', `GitHub answered: ${err.message}`);
  }
}
