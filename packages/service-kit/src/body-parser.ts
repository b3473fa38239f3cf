import getRawBody from 'raw-body';
import type { Context, Middleware } from 'koa';
import { AppError } from './app-error.js';
import { crossSiteRefusal, formsAllowed, type FormPolicy } from './form-policy.js';
import { textProblem, unsafeTextErrors } from './safe-text.js';
import { parseStrictJson } from './strict-json.js';

export type { FormPolicy } from './form-policy.js';

export interface BodyParserOptions {
  /** Largest body accepted, in bytes. Anything larger is a 413 before it is read. */
  limit: number;
  /** Where urlencoded bodies are accepted as well as JSON; nowhere by default (see FormPolicy). */
  forms?: FormPolicy;
  /** Also read DELETE bodies (APIs such as GitHub's token revocation take one). */
  deleteBodies?: boolean;
  /** The longest text a field, query value or path segment may hold (default maxTextLength). */
  maxTextLength?: number;
}

declare module 'koa' {
  interface Request {
    body?: unknown;
  }
}

const bodyless = new Set(['GET', 'HEAD', 'OPTIONS', 'DELETE']);

/**
 * Every request's input, read once before any route: the path and query
 * first, then the body as JSON (or a form where the policy allows one).
 * Every text in them is checked here (control characters, lone surrogates,
 * overlong strings), so a new endpoint or field is covered before anyone
 * thinks of it.
 */
export function bodyParser(options: BodyParserOptions): Middleware {
  const forms = options.forms ?? { paths: [] };
  return async (ctx, next) => {
    checkAddress(ctx, options.maxTextLength);
    if (bodyless.has(ctx.method) && !(options.deleteBodies && ctx.method === 'DELETE')) return next();
    const refusal = crossSiteRefusal(forms, ctx);
    if (refusal) throw new AppError('cross_site_request', { message: refusal });
    const hasBody = ctx.request.length > 0 || ctx.get('transfer-encoding') !== '';
    const length = ctx.request.length;
    if (length !== undefined && length > options.limit) throw new AppError('payload_too_large');
    const type = ctx.request.type;
    const kind =
      type === 'application/json' || type.endsWith('+json')
        ? 'json'
        : formsAllowed(forms, ctx) && type === 'application/x-www-form-urlencoded'
          ? 'form'
          : null;
    // A content type is judged even on an empty body: a cross-site form with no fields is still a cross-site form.
    if (!kind && (hasBody || type !== '')) throw new AppError('unsupported_media_type', unsupportedMessage(forms, ctx));
    if (!hasBody) {
      ctx.request.body = {};
      return next();
    }
    let text: string;
    try {
      text = await getRawBody(ctx.req, { limit: options.limit, length, encoding: 'utf8' });
    } catch (cause) {
      const status = (cause as { status?: number }).status;
      if (status === 413) throw new AppError('payload_too_large', { cause });
      if (status === 415) throw new AppError('unsupported_media_type', { cause });
      throw new AppError('malformed_json', { message: 'The request body could not be read.', cause });
    }
    const body = kind === 'json' ? (text === '' ? {} : parseStrictJson(text)) : parseForm(text);
    // Every route reads fields off the body; null, a number or a list has none (GitHub answers the same).
    if (typeof body !== 'object' || body === null || Array.isArray(body)) {
      throw new AppError('malformed_json', { message: 'The body must be a JSON object.' });
    }
    refuseUnsafeText(body, options.maxTextLength);
    ctx.request.body = body;
    return next();
  };
}

function unsupportedMessage(forms: FormPolicy, ctx: Context) {
  return formsAllowed(forms, ctx)
    ? { message: 'Send the body as application/json or application/x-www-form-urlencoded.' }
    : {};
}

/** Path parameters and query values reach queries too: the same rules as a body. */
function checkAddress(ctx: Context, maxLength?: number): void {
  // Segment by segment, as the router decodes parameters: one undecodable segment must not hide the next.
  for (const segment of ctx.path.split('/')) {
    let text = segment;
    try {
      text = decodeURIComponent(segment);
    } catch {
      // Not valid percent-encoding: the router leaves such a segment as written, which is harmless text.
    }
    if (textProblem(text, maxLength)) {
      throw new AppError('bad_request', { message: 'The address contains a character that is not allowed.' });
    }
  }
  refuseUnsafeText(ctx.query, maxLength);
}

function refuseUnsafeText(input: unknown, maxLength?: number): void {
  const errors = unsafeTextErrors(input, maxLength);
  if (!errors.length) return;
  const seen = new Set<string>();
  const unique = errors.filter((e) => !seen.has(e.field) && seen.add(e.field));
  // The message alone must say what to fix: a page shows it without the field list.
  const message = unique.length === 1 ? unique[0]!.message : 'Several fields contain characters that are not allowed.';
  throw new AppError('validation_failed', { errors: unique, message });
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
