/**
 * The JSON bodies auth answers with, declared once. Types only (no runtime
 * code): web, the e2e suite and other services import them from
 * `@gatehouse/auth/wire` instead of restating them.
 */

/** POST /v1/token (both grants). */
export interface TokenResponse {
  access_token: string;
  token_type: 'Bearer';
  expires_in: number;
  refresh_token: string;
  /**
   * Password grant only: this client's device token for the account. Send it
   * back as `device_token` with later password grants: failed logins
   * elsewhere then never lock this client out.
   */
  device_token?: string;
}

/** What the API shows of a user: GET /v1/me, POST /v1/email/confirm. */
export interface PublicUser {
  id: string;
  username: string;
  email: string | null;
  email_verified: boolean;
  created_at: string;
}

/**
 * POST /v1/signup. `binding` is the same shape whether or not the address
 * already had an account; sent back with the mailed token it confirms without
 * the password (web keeps it in a cookie). It works for `binding_expires_in` seconds.
 */
export interface SignupResponse {
  status: 'confirmation_sent';
  binding: string;
  binding_expires_in: number;
}

/** POST /v1/email/confirm: the account only to whoever proved it theirs, never to a bare link holder. */
export type ConfirmResponse = { status: 'confirmed'; user: PublicUser } | { status: 'already_confirmed' };
