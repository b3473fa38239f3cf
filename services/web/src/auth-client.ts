import type {
  ConfirmResponse,
  PublicUser as Profile,
  SignupResponse,
  TokenResponse as TokenSet,
} from '@gatehouse/auth/wire';
import { createServiceHttp, type CallContext } from './service-http.js';

export { ServiceRejection as AuthRejection, isRejection, type CallContext } from './service-http.js';

export type {
  ConfirmResponse,
  PublicUser as Profile,
  SignupResponse,
  TokenResponse as TokenSet,
} from '@gatehouse/auth/wire';

/** What the confirmer shows besides the link: the signup binding (from its cookie), or the password. */
export type ConfirmProof = { binding?: string; password?: string };

/** Who GitHub says the person is, after a finished OAuth flow. */
export interface GithubAccount {
  id: number;
  login: string;
  email?: string | null | undefined;
}

export type GithubLogin = TokenSet & { created: boolean; user: Profile };

export interface AuthClient {
  signup(input: { username: string; email: string; password: string }, call: CallContext): Promise<SignupResponse>;
  confirmEmail(token: string, proof: ConfirmProof, call: CallContext): Promise<ConfirmResponse>;
  resendConfirmation(email: string, call: CallContext): Promise<void>;
  /** `deviceToken`: what an earlier login of this browser returned as `device_token`. */
  passwordGrant(username: string, password: string, call: CallContext, deviceToken?: string): Promise<TokenSet>;
  refreshGrant(refreshToken: string, call: CallContext): Promise<TokenSet>;
  me(accessToken: string, call: CallContext): Promise<Profile>;
  logout(accessToken: string, scope: 'local' | 'global', call: CallContext): Promise<void>;
  changePassword(
    accessToken: string,
    input: { current_password: string; new_password: string },
    call: CallContext,
  ): Promise<void>;
  forgotPassword(email: string, call: CallContext): Promise<void>;
  resetPassword(token: string, password: string, call: CallContext): Promise<void>;
  /** Service-only: the account GitHub's numeric id signs in to (made on first use), with a new session's tokens. */
  githubLogin(github: GithubAccount, call: CallContext): Promise<GithubLogin>;
  /** Service-only: lets this GitHub account sign in to `userId` from now on. */
  githubLink(userId: string, github: GithubAccount, call: CallContext): Promise<void>;
  close(): void;
}

export interface AuthClientOptions {
  baseUrl: string;
  timeoutMs: number;
  /** SERVICE_SECRET, for the internal GitHub endpoints; without it they are refused before any call. */
  serviceSecret?: string | undefined;
}

/** The auth service over HTTP. */
export function createAuthClient(options: AuthClientOptions): AuthClient {
  const http = createServiceHttp({ ...options, label: 'sign-in service' });
  const send = http.send;
  const service = () => {
    if (!options.serviceSecret) throw new Error('SERVICE_SECRET is not configured');
    return { user: 'web', secret: options.serviceSecret };
  };

  return {
    async signup(input, call) {
      return (await send('POST', 'v1/signup', call, { body: input })) as SignupResponse;
    },
    async confirmEmail(token, proof, call) {
      return (await send('POST', 'v1/email/confirm', call, { body: { token, ...proof } })) as ConfirmResponse;
    },
    async resendConfirmation(email, call) {
      await send('POST', 'v1/email/resend', call, { body: { email } });
    },
    async passwordGrant(username, password, call, deviceToken) {
      return (await send('POST', 'v1/token', call, {
        body: { grant_type: 'password', username, password, ...(deviceToken ? { device_token: deviceToken } : {}) },
      })) as TokenSet;
    },
    async refreshGrant(refreshToken, call) {
      return (await send('POST', 'v1/token', call, {
        body: { grant_type: 'refresh_token', refresh_token: refreshToken },
      })) as TokenSet;
    },
    async me(accessToken, call) {
      return (await send('GET', 'v1/me', call, { accessToken })) as Profile;
    },
    async logout(accessToken, scope, call) {
      await send('POST', 'v1/logout', call, { body: { scope }, accessToken });
    },
    async changePassword(accessToken, input, call) {
      await send('POST', 'v1/password/change', call, { body: input, accessToken });
    },
    async forgotPassword(email, call) {
      await send('POST', 'v1/password/forgot', call, { body: { email } });
    },
    async resetPassword(token, password, call) {
      await send('POST', 'v1/password/reset', call, { body: { token, password } });
    },
    async githubLogin(github, call) {
      const body = { github_id: github.id, login: github.login, ...(github.email ? { email: github.email } : {}) };
      return (await send('POST', 'v1/internal/github-login', call, {
        body,
        serviceCredential: service(),
      })) as GithubLogin;
    },
    async githubLink(userId, github, call) {
      const body = { user_id: userId, github_id: github.id, login: github.login };
      await send('POST', 'v1/internal/github-link', call, { body, serviceCredential: service() });
    },
    close: () => http.close(),
  };
}
