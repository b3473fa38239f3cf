import type { Middleware } from 'koa';
import { STATUS_CODES } from 'node:http';
import { AppError, isAppError } from './app-error.js';
import type { Logger } from './logger.js';

export interface Problem extends Record<string, unknown> {
  type: string;
  title: string;
  status: number;
  code: string;
  detail: string;
  request_id: string;
  errors?: AppError['errors'];
}

export function toProblem(error: AppError, requestId: string): Problem {
  const problem: Problem = {
    ...error.extensions,
    type: `urn:gatehouse:error:${error.code}`,
    title: STATUS_CODES[error.status] ?? 'Error',
    status: error.status,
    code: error.code,
    detail: error.message,
    request_id: requestId,
  };
  if (error.errors?.length) problem.errors = error.errors;
  return problem;
}

/**
 * The single place errors become responses. AppErrors are answered as
 * problem+json; anything else is a bug, logged with the request id and
 * answered with a generic 500 that reveals nothing.
 */
export function errorHandler(logger: Logger): Middleware {
  return async (ctx, next) => {
    try {
      await next();
      if (ctx.status === 404 && ctx.body == null) throw new AppError('not_found');
      if (ctx.status === 405 && ctx.body == null) throw new AppError('method_not_allowed');
    } catch (caught) {
      const error = isAppError(caught) ? caught : fromFrameworkError(caught);
      if (error.status >= 500) {
        logger.error({ req_id: ctx.state.requestId, err: caught }, 'request failed');
      }
      ctx.status = error.status;
      ctx.set(error.headers);
      ctx.type = 'application/problem+json; charset=utf-8';
      ctx.body = toProblem(error, ctx.state.requestId);
    }
  };
}

/** koa and its middleware throw http-errors; keep their 4xx meaning, hide everything else. */
function fromFrameworkError(caught: unknown): AppError {
  const status = (caught as { status?: unknown })?.status;
  if (status === 404) return new AppError('not_found', { cause: caught });
  if (status === 405) return new AppError('method_not_allowed', { cause: caught });
  if (status === 413) return new AppError('payload_too_large', { cause: caught });
  // Dependency packages mark "could not reach the store" errors this way, so
  // a lost database is a retryable 503 rather than a 500.
  if ((caught as { unavailable?: unknown })?.unavailable === true) {
    return new AppError('service_unavailable', { cause: caught, headers: { 'Retry-After': '1' } });
  }
  return new AppError('unexpected_failure', { cause: caught });
}
