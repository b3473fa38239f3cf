/**
 * Every code a problem's `errors[]` can carry, one per field problem, with
 * its default message. Like the error codes, a public contract: clients
 * branch on them (web shows the message by the field), so never rename one.
 * A schema names the code (`fieldIssue('username_invalid')`) and may say
 * the message more precisely for its own check.
 */
export const fieldCodes = {
  unknown_field: 'This field is not accepted here.',
  username_required: 'Choose a username.',
  username_invalid: 'Use letters, digits, dots, dashes and underscores, starting with a letter or digit.',
  email_required: 'Enter your email address.',
  email_invalid: 'Enter a valid email address.',
  password_required: 'Enter a password.',
  password_invalid: 'Enter your password (at most 1024 characters).',
  password_too_short: 'The password is too short.',
  password_too_long: 'The password is too long.',
  password_common: 'This password is too common. Choose one that is harder to guess.',
  password_contains_identity: 'Your password must not contain your username or email.',
  current_password_required: 'Enter your current password.',
  current_password_invalid: 'Enter your current password (at most 1024 characters).',
  new_password_required: 'Enter a new password.',
  token_required: 'The token is missing.',
  token_invalid: 'The token is malformed.',
  refresh_token_required: 'The refresh token is missing.',
  refresh_token_invalid: 'The refresh token is malformed.',
  device_token_invalid: 'The device token is malformed.',
  scope_invalid: 'scope must be "local" or "global".',
} as const satisfies Record<string, string>;

export type FieldCode = keyof typeof fieldCodes;
