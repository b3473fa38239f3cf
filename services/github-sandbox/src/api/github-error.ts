/**
 * A refusal in GitHub's own shape. The stand-in's REST answers are GitHub's
 * wire format, not Gatehouse's problem+json, so its refusals are this one
 * type, mapped to responses by one middleware (api-errors.ts).
 */
export interface GitHubErrorItem {
  resource?: string;
  field?: string;
  code: string;
  message?: string;
}

export class GitHubFailure extends Error {
  readonly status: number;
  readonly documentationUrl: string;
  readonly errors: GitHubErrorItem[] | undefined;
  readonly headers: Record<string, string>;

  constructor(
    status: number,
    message: string,
    documentationUrl: string,
    options: { errors?: GitHubErrorItem[]; headers?: Record<string, string> } = {},
  ) {
    super(message);
    this.name = 'GitHubFailure';
    this.status = status;
    this.documentationUrl = documentationUrl;
    this.errors = options.errors;
    this.headers = options.headers ?? {};
  }

  body(): Record<string, unknown> {
    return {
      message: this.message,
      ...(this.errors ? { errors: this.errors } : {}),
      documentation_url: this.documentationUrl,
      status: String(this.status),
    };
  }
}

/** Documentation links GitHub puts in its answers, per endpoint. */
export const docsUrl = {
  rest: 'https://docs.github.com/rest',
  getAuthenticatedUser: 'https://docs.github.com/rest/users/users#get-the-authenticated-user',
  listRepos: 'https://docs.github.com/rest/repos/repos#list-repositories-for-the-authenticated-user',
  createRepo: 'https://docs.github.com/rest/repos/repos#create-a-repository-for-the-authenticated-user',
  getRepo: 'https://docs.github.com/rest/repos/repos#get-a-repository',
  getRef: 'https://docs.github.com/rest/git/refs#get-a-reference',
  rateLimit: 'https://docs.github.com/rest/rate-limit/rate-limit#get-rate-limit-status-for-the-authenticated-user',
  deleteGrant: 'https://docs.github.com/rest/apps/oauth-applications#delete-an-app-authorization',
  deleteToken: 'https://docs.github.com/rest/apps/oauth-applications#delete-an-app-token',
  primaryRateLimit: 'https://docs.github.com/rest/overview/rate-limits-for-the-rest-api',
  secondaryRateLimit: 'https://docs.github.com/rest/overview/rate-limits-for-the-rest-api#about-secondary-rate-limits',
} as const;

export const badCredentials = () => new GitHubFailure(401, 'Bad credentials', docsUrl.rest);
export const requiresAuthentication = (docs: string) => new GitHubFailure(401, 'Requires authentication', docs);
export const notFound = (docs: string) => new GitHubFailure(404, 'Not Found', docs);

/** GitHub's answer to a request without User-Agent: plain text, 403. */
export const userAgentRequiredText =
  'Request forbidden by administrative rules. Please make sure your request has a User-Agent header ' +
  '(https://docs.github.com/en/rest/overview/resources-in-the-rest-api#user-agent-required). ' +
  'Check https://developer.github.com for other possible causes.\n';

export const primaryRateLimitMessage = (userId: number | undefined, requestId: string) =>
  `API rate limit exceeded for ${userId === undefined ? 'this IP address' : `user ID ${userId}`}. ` +
  `If you reach out to GitHub Support for help, please include the request ID ${requestId}.`;

export const secondaryRateLimitMessage = (requestId: string) =>
  'You have exceeded a secondary rate limit. Please wait a few minutes before you try again. ' +
  `If you reach out to GitHub Support for help, please include the request ID ${requestId}.`;
