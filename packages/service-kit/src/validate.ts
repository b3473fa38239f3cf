import type { z } from 'zod';
import { AppError, type FieldError } from './app-error.js';
import type { FieldCode } from './field-codes.js';
import { fieldError } from './field-issue.js';

/**
 * Parses input with a zod schema and turns every issue into a field error
 * with a stable code: the one the schema named with `fieldIssue()`, else
 * `<field>_required` or `<field>_invalid`.
 */
export function validate<S extends z.ZodType>(schema: S, input: unknown): z.infer<S> {
  const result = schema.safeParse(input);
  if (result.success) return result.data;
  const errors: FieldError[] = [];
  for (const issue of result.error.issues) {
    if (issue.code === 'unrecognized_keys') {
      for (const key of issue.keys) {
        errors.push(fieldError(key, 'unknown_field', `The field "${key}" is not accepted here.`));
      }
      continue;
    }
    const field = issue.path.map(String).join('.') || '(body)';
    const params = issue.code === 'custom' ? (issue.params as { fieldCode?: FieldCode } | undefined) : undefined;
    const named = params?.fieldCode;
    const missing = issue.code === 'invalid_type' && issue.input === undefined;
    errors.push({
      field,
      code: named ?? (missing ? `${field}_required` : `${field}_invalid`),
      message: named || !missing ? issue.message : `${field} is required.`,
    });
  }
  // One error per field: the first is the one worth fixing first.
  const seen = new Set<string>();
  const unique = errors.filter((e) => !seen.has(e.field) && seen.add(e.field));
  throw new AppError('validation_failed', { errors: unique });
}
