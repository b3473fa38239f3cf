import type { FieldError } from './app-error.js';

/**
 * The longest text any field may hold. Every field Gatehouse takes is far
 * shorter (passwords stop at 1024); a schema caps its own fields lower.
 */
export const maxTextLength = 4096;

// C0 controls (NUL, CR, LF, tab …), DEL and C1 controls: no identifier or form field has a use for them.
// eslint-disable-next-line no-control-regex -- finding them is the point
const controlCharacter = /[\u0000-\u001f\u007f-\u009f]/;

/** Why a text cannot be taken as it is, or undefined when it can. */
export function textProblem(text: string): string | undefined {
  if (controlCharacter.test(text)) return 'contains a control character';
  // A lone surrogate is no character at all: Postgres would store U+FFFD in its place.
  if (!text.isWellFormed()) return 'contains an invalid character (a lone surrogate)';
  if (text.length > maxTextLength) return `is longer than ${maxTextLength} characters`;
  return undefined;
}

/**
 * Every string in a parsed body or query, keys included, checked once before
 * any route sees it, so a new field or endpoint is covered without a schema
 * saying so. One error per field, named by its path.
 */
export function unsafeTextErrors(input: unknown): FieldError[] {
  const errors: FieldError[] = [];
  // A queue, not recursion: how deep a body may nest is strict-json's business, not the call stack's.
  const pending: [unknown, string][] = [[input, '']];
  for (let next = pending.pop(); next; next = pending.pop()) {
    const [value, path] = next;
    if (typeof value === 'string') {
      const problem = textProblem(value);
      const field = path || '(body)';
      if (problem) errors.push({ field, code: `${field}_invalid`, message: `The field "${field}" ${problem}.` });
      continue;
    }
    if (value === null || typeof value !== 'object') continue;
    for (const [key, inner] of Object.entries(value)) {
      const keyProblem = textProblem(key);
      if (keyProblem) {
        errors.push({ field: '(body)', code: 'unknown_field', message: `A field name ${keyProblem}.` });
        continue;
      }
      pending.push([inner, Array.isArray(value) ? path : path ? `${path}.${key}` : key]);
    }
  }
  return errors;
}
