import type { Context } from 'koa';
import { AppError } from '@gatehouse/service-kit';
import type { AuthRejection } from './auth-client.js';

export type FieldErrors = Record<string, string>;

/** One text field of a posted form; a field sent twice is a forged form, not a typo. */
export function formText(ctx: Context, name: string): string {
  const body = (ctx.request.body ?? {}) as Record<string, unknown>;
  const value = body[name];
  if (Array.isArray(value))
    throw new AppError('duplicate_field', {
      message: 'The form was sent with a field twice. Go back and send it again.',
    });
  return typeof value === 'string' ? value : '';
}

/** The non-empty check every form does before bothering auth. */
export function requireFields(values: Record<string, string>, labels: Record<string, string>): FieldErrors {
  const errors: FieldErrors = {};
  for (const [field, message] of Object.entries(labels)) {
    if (values[field] === undefined || values[field].trim() === '') errors[field] = message;
  }
  return errors;
}

/** Auth's per-field problems, renamed onto this form's fields. */
export function fieldErrorsFrom(rejection: AuthRejection, rename: Record<string, string> = {}): FieldErrors {
  const errors: FieldErrors = {};
  for (const e of rejection.errors) {
    const field = rename[e.field] ?? e.field;
    errors[field] ??= e.message;
  }
  return errors;
}

export function waitText(seconds: number | undefined): string {
  if (seconds === undefined || seconds <= 1) return 'in a moment';
  if (seconds < 120) return `in ${seconds} seconds`;
  return `in ${Math.ceil(seconds / 60)} minutes`;
}

/** Passes auth's Retry-After on to the browser along with the 429. */
export function throttled(ctx: Context, rejection: AuthRejection): string {
  if (rejection.retryAfter !== undefined) ctx.set('Retry-After', String(rejection.retryAfter));
  return `Too many attempts. Try again ${waitText(rejection.retryAfter)}.`;
}

export const expiredFormText =
  'For your security, this form expired or was sent from another site, so nothing was changed. Please check it and send it again.';
