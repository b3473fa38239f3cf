import type { SandboxDeps } from '../deps.js';
import { consumeCode, insertCode } from '../store/oauth-codes.js';
import { insertToken } from '../store/tokens.js';
import { resolveRedirect } from './apps.js';
import { joinScopes, parseScopes } from './scopes.js';
import { hashSecret, newAccessToken, newCode, pkceMatches } from './secrets.js';

const docs = 'https://docs.github.com/apps/managing-oauth-apps';

/** The token endpoint's refusals, with GitHub's descriptions (answered with HTTP 200). */
export const tokenErrors = {
  incorrect_client_credentials: {
    error_description: 'The client_id and/or client_secret passed are incorrect.',
    error_uri: `${docs}/troubleshooting-oauth-app-access-token-request-errors/#incorrect-client-credentials`,
  },
  redirect_uri_mismatch: {
    error_description: 'The redirect_uri MUST match the registered callback URL for this application.',
    error_uri: `${docs}/troubleshooting-authorization-request-errors/#redirect-uri-mismatch2`,
  },
  bad_verification_code: {
    error_description: 'The code passed is incorrect or expired.',
    error_uri: `${docs}/troubleshooting-oauth-app-access-token-request-errors/#bad-verification-code`,
  },
} as const;

export type TokenError = keyof typeof tokenErrors;

export interface GrantRequest {
  clientId: string;
  userId: number;
  scopes: string[];
  redirectUri: string;
  codeChallenge: string | null;
}

/** A single-use code for the callback (ten minutes). */
export async function issueCode(deps: Pick<SandboxDeps, 'db' | 'clock'>, grant: GrantRequest): Promise<string> {
  const code = newCode();
  await insertCode(
    deps.db,
    hashSecret(code),
    {
      client_id: grant.clientId,
      user_id: grant.userId,
      scope: joinScopes(grant.scopes),
      redirect_uri: grant.redirectUri,
      code_challenge: grant.codeChallenge,
    },
    deps.clock.now(),
  );
  return code;
}

export interface IssuedToken {
  access_token: string;
  scope: string;
  token_type: 'bearer';
}

/** A new token for the grant; past ten for the same user, app and scope, the oldest is revoked. */
export async function issueToken(
  deps: Pick<SandboxDeps, 'db' | 'clock'>,
  grant: { clientId: string; userId: number; scope: string },
): Promise<IssuedToken> {
  const token = newAccessToken();
  await deps.db.transaction((tx) =>
    insertToken(
      tx,
      hashSecret(token),
      { client_id: grant.clientId, user_id: grant.userId, scope: grant.scope },
      deps.clock.now(),
    ),
  );
  return { access_token: token, scope: grant.scope, token_type: 'bearer' };
}

export interface ExchangeRequest {
  client_id?: string | undefined;
  client_secret?: string | undefined;
  code?: string | undefined;
  redirect_uri?: string | undefined;
  code_verifier?: string | undefined;
}

/** POST /login/oauth/access_token, in GitHub's order of checks. */
export async function exchangeCode(
  deps: Pick<SandboxDeps, 'db' | 'clock' | 'apps'>,
  request: ExchangeRequest,
): Promise<IssuedToken | { error: TokenError }> {
  const app = deps.apps.authenticate(request.client_id ?? '', request.client_secret ?? '');
  if (!app) return { error: 'incorrect_client_credentials' };
  const code = request.code
    ? await consumeCode(deps.db, hashSecret(request.code), app.client_id, deps.clock.now())
    : undefined;
  if (!code) return { error: 'bad_verification_code' };
  if (request.redirect_uri !== undefined && resolveRedirect(app, request.redirect_uri) !== code.redirect_uri) {
    return { error: 'redirect_uri_mismatch' };
  }
  // A challenge sent at authorize must be answered; a verifier without one is ignored, as GitHub does.
  if (code.code_challenge && !(request.code_verifier && pkceMatches(request.code_verifier, code.code_challenge))) {
    return { error: 'bad_verification_code' };
  }
  return issueToken(deps, {
    clientId: app.client_id,
    userId: code.user_id,
    scope: joinScopes(parseScopes(code.scope)),
  });
}
