/**
 * Every error code Gatehouse answers with, in one list. Codes are a public
 * contract: clients branch on them, so never rename one; add a new one instead.
 */
export const errorCodes = {
  // Request shape (the first four are answered by nginx or the gateway, before any service)
  bad_request: { status: 400, message: 'The request could not be understood.' },
  request_timeout: { status: 408, message: 'The request took too long to arrive.' },
  uri_too_long: { status: 414, message: 'The address is too long.' },
  request_header_too_large: { status: 431, message: 'A request header or cookie is too large.' },
  malformed_json: { status: 400, message: 'The request body is not valid JSON.' },
  duplicate_field: { status: 400, message: 'A field appears more than once in the request.' },
  forbidden_field: { status: 400, message: 'The request contains a field name that is not allowed.' },
  unknown_field: { status: 400, message: 'The request contains a field this endpoint does not accept.' },
  validation_failed: { status: 400, message: 'Some fields are missing or invalid.' },
  unsupported_media_type: { status: 415, message: 'Send the body as application/json.' },
  payload_too_large: { status: 413, message: 'The request body is too large.' },
  cross_site_request: { status: 403, message: 'A browser on another site sent this request; it was refused.' },
  not_found: { status: 404, message: 'Nothing lives at this address.' },
  method_not_allowed: { status: 405, message: 'This method is not allowed here.' },

  // Credentials and tokens
  invalid_credentials: { status: 401, message: 'The username, email or password is wrong.' },
  email_not_confirmed: { status: 403, message: 'Confirm your email address before you log in.' },
  invalid_token: { status: 401, message: 'The access token is missing, invalid, expired or revoked.' },
  invalid_refresh_token: { status: 401, message: 'The refresh token is invalid, expired or revoked.' },
  invalid_or_expired_token: { status: 400, message: 'This link is invalid or has expired.' },
  confirmation_proof_required: {
    status: 403,
    message: 'Enter the account’s password to confirm this address.',
  },
  invalid_client: { status: 401, message: 'The service credential is missing or wrong.' },
  unsupported_grant_type: { status: 400, message: 'grant_type must be "password" or "refresh_token".' },
  username_taken: { status: 409, message: 'That username is taken.' },
  too_many_requests: { status: 429, message: 'Too many attempts. Try again later.' },
  user_not_found: { status: 404, message: 'There is no such account.' },
  github_already_linked: {
    status: 409,
    message: 'This GitHub account is already linked to another Gatehouse account.',
  },
  github_email_in_use: {
    status: 409,
    message:
      'An account with this GitHub account’s email already exists. Log in with your password, then connect GitHub from your account page.',
  },

  // GitHub and mirroring
  oauth_state_invalid: {
    status: 400,
    message: 'This GitHub sign-in link is missing, expired or was already used. Please try again.',
  },
  oauth_access_denied: { status: 400, message: 'GitHub access was not granted.' },
  oauth_exchange_failed: { status: 400, message: 'GitHub did not accept the authorization. Please try again.' },
  oauth_scope_insufficient: {
    status: 403,
    message: 'GitHub granted less access than mirroring needs. Please authorize again.',
  },
  github_not_connected: { status: 409, message: 'Connect your GitHub account first.' },
  github_reconnect_required: {
    status: 409,
    message: 'GitHub no longer accepts the stored authorization. Please reconnect GitHub.',
  },
  github_unavailable: { status: 503, message: 'GitHub is not answering. Try again shortly.' },
  github_rate_limited: { status: 429, message: 'GitHub asked us to slow down too many times. Try again later.' },
  github_workflow_scope: {
    status: 403,
    message: 'GitHub refused files under .github/workflows: the connection lacks the workflow scope.',
  },
  repository_name_taken: {
    status: 409,
    message: 'A repository with that name exists and is not a Gatehouse mirror; it was left untouched.',
  },
  secret_detected: { status: 422, message: 'The source contains a credential-looking string; nothing was pushed.' },
  mirror_in_progress: { status: 409, message: 'A mirror is already running for this account.' },

  // Faults
  service_unavailable: { status: 503, message: 'A dependency is unavailable. Try again shortly.' },
  unexpected_failure: { status: 500, message: 'Something went wrong on our side.' },
} as const satisfies Record<string, { status: number; message: string }>;

export type ErrorCode = keyof typeof errorCodes;
