import { z } from 'zod';
import { fieldIssue, textField } from '@gatehouse/service-kit';

const emailFormat = z.email();

export const usernameField = textField('username_required')
  .refine((v) => v.length >= 3 && v.length <= 32, fieldIssue('username_invalid', 'Use 3 to 32 characters.'))
  .refine((v) => /^[A-Za-z0-9][A-Za-z0-9_.-]*$/.test(v), fieldIssue('username_invalid'));

export const emailField = textField('email_required')
  .refine((v) => v.length <= 254, fieldIssue('email_invalid', 'An email address has at most 254 characters.'))
  .refine((v) => !/[\r\n]/.test(v) && emailFormat.safeParse(v).success, fieldIssue('email_invalid'));

export const passwordField = textField('password_required').refine(
  (v) => v.length >= 1,
  fieldIssue('password_required'),
);

export const secretTokenField = textField('token_required').refine(
  (v) => v.length >= 1 && v.length <= 512,
  fieldIssue('token_invalid'),
);
