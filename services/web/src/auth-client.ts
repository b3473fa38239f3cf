import { Agent as HttpAgent } from 'node:http';
import { Agent as HttpsAgent } from 'node:https';
import got, { RequestError, type Got, type Response } from 'got';
import type { PublicUser as Profile, TokenResponse as TokenSet } from '@gatehouse/auth/wire';
import { AppError, type FieldError } from '@gatehouse/service-kit';

/** Who the web service is acting for: carried to auth on every call. */
export interface CallContext {
  requestId: string;
  /** The browser's address, so auth throttles per person rather than per web replica. */
  clientIp: string;
}

export type { PublicUser as Profile, TokenResponse as TokenSet } from '@gatehouse/auth/wire';

/** Auth said no, with a reason a page can explain (any 4xx answer). */
export class AuthRejection extends Error {
  readonly status: number;
  readonly code: string;
  readonly errors: FieldError[];
  /** Seconds, from Retry-After, when auth throttled the call. */
  readonly retryAfter: number | undefined;
  constructor(status: number, code: string, message: string, errors: FieldError[], retryAfter: number | undefined) {
    super(message);
    this.name = 'AuthRejection';
    this.status = status;
    this.code = code;
    this.errors = errors;
    this.retryAfter = retryAfter;
  }
}

export function isRejection(err: unknown, ...codes: string[]): err is AuthRejection {
  return err instanceof AuthRejection && (codes.length === 0 || codes.includes(err.code));
}

export interface AuthClient {
  signup(input: { username: string; email: string; password: string }, call: CallContext): Promise<void>;
  confirmEmail(token: string, call: CallContext): Promise<Profile>;
  resendConfirmation(email: string, call: CallContext): Promise<void>;
  passwordGrant(username: string, password: string, call: CallContext): Promise<TokenSet>;
  refreshGrant(refreshToken: string, call: CallContext): Promise<TokenSet>;
  me(accessToken: string, call: CallContext): Promise<Profile>;
  logout(accessToken: string, scope: 'local' | 'global', call: CallContext): Promise<void>;
  changePassword(accessToken: string, input: { current_password: string; new_password: string }, call: CallContext): Promise<void>;
  forgotPassword(email: string, call: CallContext): Promise<void>;
  resetPassword(token: string, password: string, call: CallContext): Promise<void>;
  close(): void;
}

export interface AuthClientOptions {
  baseUrl: string;
  timeoutMs: number;
}

/**
 * The auth service over HTTP. One keep-alive pool per process (a new TCP
 * connection per page view would cost more than the call). Writes are never
 * retried: a signup or login sent twice is not the same as once.
 */
export function createAuthClient(options: AuthClientOptions): AuthClient {
  const agent = {
    http: new HttpAgent({ keepAlive: true, maxSockets: 64, maxFreeSockets: 16 }),
    https: new HttpsAgent({ keepAlive: true, maxSockets: 64, maxFreeSockets: 16 }),
  };
  const http: Got = got.extend({
    prefixUrl: options.baseUrl,
    agent,
    timeout: { connect: 2000, request: options.timeoutMs },
    retry: { limit: 0 },
    throwHttpErrors: false,
    followRedirect: false,
    responseType: 'text',
    headers: { 'user-agent': 'gatehouse-web' },
  });

  const headersFor = (call: CallContext, accessToken?: string) => ({
    'x-request-id': call.requestId,
    'x-forwarded-for': call.clientIp,
    ...(accessToken ? { authorization: `Bearer ${accessToken}` } : {}),
  });

  async function send(method: 'GET' | 'POST', path: string, call: CallContext, body?: unknown, accessToken?: string): Promise<unknown> {
    let response: Response<string>;
    try {
      response = await http(path, {
        method,
        headers: headersFor(call, accessToken),
        ...(body === undefined ? {} : { json: body }),
        // Reading a profile is safe to repeat once if a pooled socket turned out dead.
        ...(method === 'GET' ? { retry: { limit: 1, methods: ['GET'], statusCodes: [] } } : {}),
      });
    } catch (cause) {
      if (cause instanceof RequestError) throw new AppError('service_unavailable', { cause, message: 'The sign-in service did not answer.' });
      throw cause;
    }
    const { statusCode } = response;
    const parsed = parseJson(response.body);
    if (statusCode >= 200 && statusCode < 300) return parsed;
    if (statusCode >= 400 && statusCode < 500) throw rejection(statusCode, parsed, response.headers['retry-after']);
    throw new AppError('service_unavailable', { message: `The sign-in service answered ${statusCode}.` });
  }

  return {
    async signup(input, call) {
      await send('POST', 'v1/signup', call, input);
    },
    async confirmEmail(token, call) {
      const body = (await send('POST', 'v1/email/confirm', call, { token })) as { user: Profile };
      return body.user;
    },
    async resendConfirmation(email, call) {
      await send('POST', 'v1/email/resend', call, { email });
    },
    async passwordGrant(username, password, call) {
      return (await send('POST', 'v1/token', call, { grant_type: 'password', username, password })) as TokenSet;
    },
    async refreshGrant(refreshToken, call) {
      return (await send('POST', 'v1/token', call, { grant_type: 'refresh_token', refresh_token: refreshToken })) as TokenSet;
    },
    async me(accessToken, call) {
      return (await send('GET', 'v1/me', call, undefined, accessToken)) as Profile;
    },
    async logout(accessToken, scope, call) {
      await send('POST', 'v1/logout', call, { scope }, accessToken);
    },
    async changePassword(accessToken, input, call) {
      await send('POST', 'v1/password/change', call, input, accessToken);
    },
    async forgotPassword(email, call) {
      await send('POST', 'v1/password/forgot', call, { email });
    },
    async resetPassword(token, password, call) {
      await send('POST', 'v1/password/reset', call, { token, password });
    },
    close() {
      agent.http.destroy();
      agent.https.destroy();
    },
  };
}

function parseJson(text: string): unknown {
  if (text === '') return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}

function rejection(status: number, body: unknown, retryAfterHeader: string | undefined): AuthRejection {
  const problem = (body ?? {}) as { code?: unknown; detail?: unknown; errors?: unknown; retry_after?: unknown };
  const code = typeof problem.code === 'string' ? problem.code : `http_${status}`;
  const detail = typeof problem.detail === 'string' ? problem.detail : 'The request was refused.';
  const errors = Array.isArray(problem.errors) ? (problem.errors as FieldError[]).filter((e) => typeof e?.field === 'string') : [];
  const fromHeader = retryAfterHeader !== undefined ? Number.parseInt(retryAfterHeader, 10) : Number.NaN;
  const fromBody = typeof problem.retry_after === 'number' ? problem.retry_after : Number.NaN;
  const retryAfter = Number.isFinite(fromHeader) ? fromHeader : Number.isFinite(fromBody) ? fromBody : undefined;
  return new AuthRejection(status, code, detail, errors, retryAfter);
}
