/** How a GitHub failure should be handled, decided once where the answer is read. */
export type GithubFailure =
  | 'unauthorized'
  | 'rate_limited'
  | 'secondary_rate_limited'
  | 'unavailable'
  | 'not_found'
  | 'forbidden'
  | 'unprocessable'
  | 'unexpected';

export class GithubError extends Error {
  readonly failure: GithubFailure;
  readonly status: number | undefined;
  /** When a rate limit lifts (primary: x-ratelimit-reset; secondary: retry-after, else 60 s). */
  readonly retryAt: Date | undefined;
  readonly requestId: string | undefined;
  readonly body: unknown;

  constructor(
    failure: GithubFailure,
    message: string,
    details: { status?: number; retryAt?: Date; requestId?: string; body?: unknown; cause?: unknown } = {},
  ) {
    super(message, { cause: details.cause });
    this.name = 'GithubError';
    this.failure = failure;
    this.status = details.status;
    this.retryAt = details.retryAt;
    this.requestId = details.requestId;
    this.body = details.body;
  }
}

export const isGithubError = (value: unknown): value is GithubError => value instanceof GithubError;

type Headers = Record<string, string | string[] | undefined>;
const header = (headers: Headers, name: string) => {
  const value = headers[name];
  return Array.isArray(value) ? value[0] : value;
};

const secondaryMinimumMs = 60_000;

/** Classifies a non-2xx answer per GitHub's documented rate-limit and error rules. */
export function classifyAnswer(status: number, headers: Headers, body: unknown, now: Date): GithubError {
  const requestId = header(headers, 'x-github-request-id');
  const message = typeof body === 'object' && body && 'message' in body ? String(body.message) : `HTTP ${status}`;
  const base = { status, body, ...(requestId ? { requestId } : {}) };
  if (status === 401) return new GithubError('unauthorized', message, base);
  if (status === 403 || status === 429) {
    const reset = Number(header(headers, 'x-ratelimit-reset'));
    if (header(headers, 'x-ratelimit-remaining') === '0' && Number.isFinite(reset)) {
      return new GithubError('rate_limited', message, {
        ...base,
        retryAt: new Date(Math.max(reset * 1000, now.getTime())),
      });
    }
    const retryAfter = Number(header(headers, 'retry-after'));
    if (Number.isFinite(retryAfter) && retryAfter >= 0 && header(headers, 'retry-after') !== undefined) {
      return new GithubError('secondary_rate_limited', message, {
        ...base,
        retryAt: new Date(now.getTime() + retryAfter * 1000),
      });
    }
    if (status === 429 || /secondary rate limit|abuse/i.test(message)) {
      return new GithubError('secondary_rate_limited', message, {
        ...base,
        retryAt: new Date(now.getTime() + secondaryMinimumMs),
      });
    }
    return new GithubError('forbidden', message, base);
  }
  if (status === 404) return new GithubError('not_found', message, base);
  if (status === 422) return new GithubError('unprocessable', message, base);
  if (status >= 500) return new GithubError('unavailable', message, base);
  return new GithubError('unexpected', message, base);
}
