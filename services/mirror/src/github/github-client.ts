import got, { RequestError, type Got, type Method } from 'got';
import type { Clock } from '@gatehouse/service-kit';
import { classifyAnswer, GithubError } from './github-error.js';

export interface GithubClientOptions {
  apiUrl: string;
  oauthUrl: string;
  clientId: string;
  clientSecret: string;
  apiVersion: string;
  timeoutMs: number;
  userAgent: string;
}

export interface GithubAnswer<T> {
  status: number;
  body: T;
  headers: Record<string, string | string[] | undefined>;
  requestId: string | undefined;
  /** The endpoint as logged in the token-use table: method and path, never a query or a token. */
  endpoint: string;
}

export interface ApiRequest {
  token?: string;
  json?: unknown;
  searchParams?: Record<string, string | number>;
  /** Basic auth with the app's client credentials (the grant/token revocation endpoints). */
  appAuth?: boolean;
}

// Only idempotent methods are retried here; a POST is retried by its caller after a GET shows it did not happen.
const retryableMethods: Method[] = ['GET', 'HEAD', 'DELETE'];
const maxDelayMs = 2000;

export type GithubClient = ReturnType<typeof createGithubClient>;

/**
 * The one way Gatehouse talks to GitHub's REST API and OAuth endpoints. Two
 * base URLs, never derived from each other (on GHES the API lives under /api/v3).
 * Non-2xx answers become a classified GithubError.
 */
export function createGithubClient(options: GithubClientOptions, deps: { clock: Clock }) {
  const http: Got = got.extend({
    throwHttpErrors: false,
    followRedirect: false,
    timeout: { request: options.timeoutMs },
    headers: { 'user-agent': options.userAgent },
    retry: {
      limit: 2,
      methods: retryableMethods,
      statusCodes: [500, 502, 503, 504],
      // Bounded exponential backoff with full jitter; got passes 0 when it decided not to retry.
      calculateDelay: ({ attemptCount, computedValue }) =>
        computedValue === 0 ? 0 : Math.min(maxDelayMs, Math.random() * 200 * 2 ** attemptCount),
    },
  });
  const apiBase = options.apiUrl.replace(/\/+$/, '');
  const oauthBase = options.oauthUrl.replace(/\/+$/, '');
  const basic = `Basic ${Buffer.from(`${options.clientId}:${options.clientSecret}`).toString('base64')}`;

  async function send<T>(method: Method, url: string, endpoint: string, headers: Record<string, string>, body: object) {
    try {
      const res = await http(url, { method, headers, ...body, responseType: 'text' });
      const text = res.body;
      let parsed: unknown = text;
      if (/json/.test(String(res.headers['content-type'] ?? '')) && text) parsed = JSON.parse(text);
      const requestId = res.headers['x-github-request-id'] as string | undefined;
      if (res.statusCode >= 300) throw classifyAnswer(res.statusCode, res.headers, parsed, deps.clock.now());
      return { status: res.statusCode, body: parsed as T, headers: res.headers, requestId, endpoint };
    } catch (err) {
      if (err instanceof GithubError) throw err;
      const reason = err instanceof RequestError ? err.code : 'ERR_UNKNOWN';
      throw new GithubError('unavailable', `GitHub did not answer ${endpoint} (${reason})`, { cause: err });
    }
  }

  return {
    options,
    api<T>(method: Method, path: string, req: ApiRequest = {}): Promise<GithubAnswer<T>> {
      const headers: Record<string, string> = {
        accept: 'application/vnd.github+json',
        'x-github-api-version': options.apiVersion,
      };
      if (req.token) headers.authorization = `Bearer ${req.token}`;
      if (req.appAuth) headers.authorization = basic;
      const body = {
        ...(req.json !== undefined ? { json: req.json } : {}),
        ...(req.searchParams ? { searchParams: req.searchParams } : {}),
      };
      return send<T>(method, `${apiBase}${path}`, `${method} ${path}`, headers, body);
    },

    authorizeUrl(params: Record<string, string>): string {
      const url = new URL(`${oauthBase}/login/oauth/authorize`);
      for (const [k, v] of Object.entries(params)) url.searchParams.set(k, v);
      return url.toString();
    },

    /** The token endpoint answers errors with HTTP 200 and an `error` member: the caller checks it first. */
    async exchangeCode(form: { code: string; redirect_uri: string; code_verifier: string }) {
      const answer = await send<unknown>(
        'POST',
        `${oauthBase}/login/oauth/access_token`,
        'POST /login/oauth/access_token',
        { accept: 'application/json' },
        { form: { client_id: options.clientId, client_secret: options.clientSecret, ...form } },
      );
      const body = typeof answer.body === 'string' ? Object.fromEntries(new URLSearchParams(answer.body)) : answer.body;
      return body as Record<string, unknown>;
    },
  };
}
