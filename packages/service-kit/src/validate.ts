import type { z } from 'zod';
import { AppError, type FieldError } from './app-error.js';

/**
 * Parses input with a zod schema and turns every issue into a field error
 * with a stable code. A schema sets the code with `{ message: 'code: text' }`
 * or falls back to zod's issue code.
 */
export function validate<S extends z.ZodType>(schema: S, input: unknown): z.infer<S> {
  const result = schema.safeParse(input);
  if (result.success) return result.data;
  const errors: FieldError[] = [];
  for (const issue of result.error.issues) {
    if (issue.code === 'unrecognized_keys') {
      for (const key of issue.keys) {
        errors.push({ field: key, code: 'unknown_field', message: `The field "${key}" is not accepted here.` });
      }
      continue;
    }
    const field = issue.path.map(String).join('.') || '(body)';
    const split = /^([a-z][a-z0-9_]*): (.+)$/.exec(issue.message);
    const missing = issue.code === 'invalid_type' && issue.input === undefined;
    errors.push({
      field,
      code: split ? split[1]! : missing ? `${field}_required` : `${field}_invalid`,
      message: split ? split[2]! : missing ? `${field} is required.` : issue.message,
    });
  }
  // One error per field: the first is the one worth fixing first.
  const seen = new Set<string>();
  const unique = errors.filter((e) => !seen.has(e.field) && seen.add(e.field));
  throw new AppError('validation_failed', { errors: unique });
}
