import { z } from 'zod';
import type { FieldError } from './app-error.js';
import { fieldCodes, type FieldCode } from './field-codes.js';

/**
 * zod's parameter for a check (`.refine(ok, fieldIssue('username_invalid'))`):
 * the code travels in the issue's params, where `validate()` reads it.
 */
export function fieldIssue(code: FieldCode, message: string = fieldCodes[code]) {
  return { message, params: { fieldCode: code } };
}

/** A string field: anything else, absent included, fails with `code` and later checks are skipped. */
export function textField(code: FieldCode, message?: string) {
  return z.custom<string>((value) => typeof value === 'string', { ...fieldIssue(code, message), abort: true });
}

/** A field problem found outside a schema (e.g. a password policy). */
export function fieldError(field: string, code: FieldCode, message: string = fieldCodes[code]): FieldError {
  return { field, code, message };
}
