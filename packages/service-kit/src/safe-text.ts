import type { FieldError } from './app-error.js';

/**
 * The longest text a field may hold unless a service says otherwise. Every
 * field Gatehouse takes is far shorter (passwords stop at 1024); a schema
 * caps its own fields lower.
 */
export const maxTextLength = 4096;

// C0 controls (NUL, CR, LF, tab …), DEL and C1 controls: no identifier or form field has a use for them.
// eslint-disable-next-line no-control-regex -- finding them is the point
const controlCharacter = /[\u0000-\u001f\u007f-\u009f]/;

/** Why a text cannot be taken as it is, or undefined when it can. */
export function textProblem(text: string, maxLength = maxTextLength): string | undefined {
  if (controlCharacter.test(text)) return 'contains a control character';
  // A lone surrogate is no character at all: Postgres would store U+FFFD in its place.
  if (!text.isWellFormed()) return 'contains an invalid character (a lone surrogate)';
  if (text.length > maxLength) return `is longer than ${maxLength} characters`;
  return undefined;
}

/**
 * Every string in a parsed body or query, keys included, checked once before
 * any route sees it, so a new field or endpoint is covered without a schema
 * saying so. One error per field, named by its path.
 */
export function unsafeTextErrors(input: unknown, maxLength = maxTextLength): FieldError[] {
  const errors: FieldError[] = [];
  // A queue, not recursion: how deep a body may nest is strict-json's business, not the call stack's.
  const pending: [unknown, string][] = [[input, '']];
  for (let next = pending.pop(); next; next = pending.pop()) {
    const [value, path] = next;
    if (typeof value === 'string') {
      const problem = textProblem(value, maxLength);
      const field = path || '(body)';
      if (problem) errors.push({ field, code: `${field}_invalid`, message: `The field "${field}" ${problem}.` });
      continue;
    }
    if (value === null || typeof value !== 'object') continue;
    for (const [key, inner] of Object.entries(value)) {
      const keyProblem = textProblem(key, maxLength);
      if (keyProblem) {
        errors.push({ field: '(body)', code: 'unknown_field', message: `A field name ${keyProblem}.` });
        continue;
      }
      pending.push([inner, Array.isArray(value) ? path : path ? `${path}.${key}` : key]);
    }
  }
  return errors;
}
