import { Agent as HttpAgent } from 'node:http';
import { Agent as HttpsAgent } from 'node:https';
import got, { RequestError, type Got, type Response } from 'got';
import { AppError, type FieldError } from '@gatehouse/service-kit';

/** Who the web service is acting for: carried to the other services on every call. */
export interface CallContext {
  requestId: string;
  /** The browser's address, so services throttle per person rather than per web replica. */
  clientIp: string;
}

/** A service said no, with a reason a page can explain (any 4xx answer). */
export class ServiceRejection extends Error {
  readonly status: number;
  readonly code: string;
  readonly errors: FieldError[];
  /** Seconds, from Retry-After, when the service throttled the call. */
  readonly retryAfter: number | undefined;
  constructor(status: number, code: string, message: string, errors: FieldError[], retryAfter: number | undefined) {
    super(message);
    this.name = 'ServiceRejection';
    this.status = status;
    this.code = code;
    this.errors = errors;
    this.retryAfter = retryAfter;
  }
}

export function isRejection(err: unknown, ...codes: string[]): err is ServiceRejection {
  return err instanceof ServiceRejection && (codes.length === 0 || codes.includes(err.code));
}

export interface ServiceHttpOptions {
  baseUrl: string;
  timeoutMs: number;
  /** How a page names the service when it does not answer, e.g. "sign-in service". */
  label: string;
}

export interface SendOptions {
  body?: unknown;
  /** A Gatehouse access token, sent as Bearer. */
  accessToken?: string;
  /** Sent as HTTP Basic, for service-only endpoints. */
  serviceCredential?: { user: string; secret: string };
}

export interface ServiceHttp {
  send(method: 'GET' | 'POST' | 'DELETE', path: string, call: CallContext, options?: SendOptions): Promise<unknown>;
  close(): void;
}

/**
 * JSON over HTTP to another Gatehouse service. One keep-alive pool per
 * process (a new TCP connection per page view would cost more than the
 * call). Writes are never retried: a login sent twice is not the same as once.
 */
export function createServiceHttp(options: ServiceHttpOptions): ServiceHttp {
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

  const headersFor = (call: CallContext, send: SendOptions) => {
    const { accessToken, serviceCredential } = send;
    const basic =
      serviceCredential && Buffer.from(`${serviceCredential.user}:${serviceCredential.secret}`).toString('base64');
    return {
      'x-request-id': call.requestId,
      'x-forwarded-for': call.clientIp,
      ...(accessToken ? { authorization: `Bearer ${accessToken}` } : {}),
      ...(basic ? { authorization: `Basic ${basic}` } : {}),
    };
  };

  return {
    async send(method, path, call, send = {}) {
      let response: Response<string>;
      try {
        response = await http(path, {
          method,
          headers: headersFor(call, send),
          ...(send.body === undefined ? {} : { json: send.body }),
          // Reading is safe to repeat once if a pooled socket turned out dead.
          ...(method === 'GET' ? { retry: { limit: 1, methods: ['GET'], statusCodes: [] } } : {}),
        });
      } catch (cause) {
        // HTTP answers never throw here (throwHttpErrors is off), so whatever did is the network's doing:
        // got wraps most as RequestError, but a socket refused during its retry can surface bare.
        if (cause instanceof RequestError || (cause as { code?: unknown })?.code !== undefined) {
          throw new AppError('service_unavailable', { cause, message: `The ${options.label} did not answer.` });
        }
        throw cause;
      }
      const { statusCode } = response;
      const parsed = parseJson(response.body);
      if (statusCode >= 200 && statusCode < 300) return parsed;
      if (statusCode >= 400 && statusCode < 500) throw rejection(statusCode, parsed, response.headers['retry-after']);
      throw new AppError('service_unavailable', { message: `The ${options.label} answered ${statusCode}.` });
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

function rejection(status: number, body: unknown, retryAfterHeader: string | undefined): ServiceRejection {
  const problem = (body ?? {}) as { code?: unknown; detail?: unknown; errors?: unknown; retry_after?: unknown };
  const code = typeof problem.code === 'string' ? problem.code : `http_${status}`;
  const detail = typeof problem.detail === 'string' ? problem.detail : 'The request was refused.';
  const errors = Array.isArray(problem.errors)
    ? (problem.errors as FieldError[]).filter((e) => typeof e?.field === 'string')
    : [];
  const fromHeader = retryAfterHeader !== undefined ? Number.parseInt(retryAfterHeader, 10) : Number.NaN;
  const fromBody = typeof problem.retry_after === 'number' ? problem.retry_after : Number.NaN;
  const retryAfter = Number.isFinite(fromHeader) ? fromHeader : Number.isFinite(fromBody) ? fromBody : undefined;
  return new ServiceRejection(status, code, detail, errors, retryAfter);
}
