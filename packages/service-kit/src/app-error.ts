import { errorCodes, type ErrorCode } from './error-codes.js';

/** A problem with one field of the input, shown next to that field. */
export interface FieldError {
  field: string;
  code: string;
  message: string;
}

export interface AppErrorOptions {
  message?: string;
  errors?: FieldError[];
  headers?: Record<string, string>;
  /** Extra members of the problem document (RFC 9457), e.g. retry_after. */
  extensions?: Record<string, string | number | boolean>;
  cause?: unknown;
}

/**
 * The one error type services throw on purpose. Status and whether the
 * message reaches the client follow from the code, so a handler cannot
 * accidentally expose a 5xx detail.
 */
export class AppError extends Error {
  readonly code: ErrorCode;
  readonly status: number;
  readonly expose: boolean;
  readonly errors: FieldError[] | undefined;
  readonly headers: Record<string, string>;
  readonly extensions: Record<string, string | number | boolean>;

  constructor(code: ErrorCode, options: AppErrorOptions = {}) {
    super(options.message ?? errorCodes[code].message, { cause: options.cause });
    this.name = 'AppError';
    this.code = code;
    this.status = errorCodes[code].status;
    this.expose = this.status < 500;
    this.errors = options.errors;
    this.headers = options.headers ?? {};
    this.extensions = options.extensions ?? {};
  }
}

export function isAppError(value: unknown): value is AppError {
  return value instanceof AppError;
}
