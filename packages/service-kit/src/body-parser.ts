import getRawBody from 'raw-body';
import type { Middleware } from 'koa';
import { AppError } from './app-error.js';
import { parseStrictJson } from './strict-json.js';

export interface BodyParserOptions {
  /** Largest body accepted, in bytes. Anything larger is a 413 before it is read. */
  limit: number;
  /** Accept application/x-www-form-urlencoded as well as JSON (browser forms). */
  form?: boolean;
  /** Also read DELETE bodies (APIs such as GitHub's token revocation take one). */
  deleteBodies?: boolean;
}

declare module 'koa' {
  interface Request {
    body?: unknown;
  }
}

const bodyless = new Set(['GET', 'HEAD', 'OPTIONS', 'DELETE']);

export function bodyParser(options: BodyParserOptions): Middleware {
  return async (ctx, next) => {
    if (bodyless.has(ctx.method) && !(options.deleteBodies && ctx.method === 'DELETE')) return next();
    const hasBody = ctx.request.length > 0 || ctx.get('transfer-encoding') !== '';
    const length = ctx.request.length;
    if (length !== undefined && length > options.limit) throw new AppError('payload_too_large');
    const kind = ctx.is('application/json', '+json') ? 'json' : options.form && ctx.is('urlencoded') ? 'form' : null;
    if (!hasBody) {
      ctx.request.body = {};
      return next();
    }
    if (!kind) throw new AppError('unsupported_media_type');
    let text: string;
    try {
      text = await getRawBody(ctx.req, { limit: options.limit, length, encoding: 'utf8' });
    } catch (cause) {
      const status = (cause as { status?: number }).status;
      if (status === 413) throw new AppError('payload_too_large', { cause });
      if (status === 415) throw new AppError('unsupported_media_type', { cause });
      throw new AppError('malformed_json', { message: 'The request body could not be read.', cause });
    }
    ctx.request.body = kind === 'json' ? (text === '' ? {} : parseStrictJson(text)) : parseForm(text);
    return next();
  };
}

/** Repeated form fields become arrays, which schema validation then refuses. */
function parseForm(text: string): Record<string, string | string[]> {
  const out: Record<string, string | string[]> = Object.create(null);
  for (const [key, value] of new URLSearchParams(text)) {
    const prior = out[key];
    out[key] = prior === undefined ? value : [...(Array.isArray(prior) ? prior : [prior]), value];
  }
  return out;
}
