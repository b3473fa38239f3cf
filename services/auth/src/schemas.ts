import { z } from 'zod';

// Messages are "code: text": validate() turns them into per-field errors with a stable code.
export const usernameField = z
  .string({ message: 'username_required: Choose a username.' })
  .min(3, 'username_invalid: Use 3 to 32 characters.')
  .max(32, 'username_invalid: Use 3 to 32 characters.')
  .regex(/^[A-Za-z0-9][A-Za-z0-9_.-]*$/, 'username_invalid: Use letters, digits, dots, dashes and underscores, starting with a letter or digit.');

export const emailField = z
  .string({ message: 'email_required: Enter your email address.' })
  .max(254, 'email_invalid: An email address has at most 254 characters.')
  .refine((v) => !/[\r\n]/.test(v), 'email_invalid: Enter a valid email address.')
  .pipe(z.email('email_invalid: Enter a valid email address.'));

export const passwordField = z.string({ message: 'password_required: Enter a password.' }).min(1, 'password_required: Enter a password.');

export const secretTokenField = z.string({ message: 'token_required: The token is missing.' }).min(1).max(512);
