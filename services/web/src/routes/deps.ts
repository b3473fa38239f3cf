import type { Clock, Logger } from '@gatehouse/service-kit';
import type { AuthClient } from '../auth-client.js';
import type { DeviceCookie } from '../device-cookie.js';
import type { ConfirmBindingCookie } from '../confirm-binding.js';
import type { MirrorClient } from '../mirror-client.js';
import type { SecurityHeaderOptions } from '../security-headers.js';
import type { SignedInSessions } from '../signed-in.js';

/** What every route module is built from. */
export interface RouteDeps {
  auth: AuthClient;
  signedIn: SignedInSessions;
  clock: Clock;
  logger: Logger;
  /** Absent when MIRROR_URL is unset: no GitHub buttons, no /mirror. */
  mirror: MirrorClient | undefined;
  /** Origin of GITHUB_OAUTH_URL. */
  githubOAuthOrigin: string;
  security: SecurityHeaderOptions;
  /** The browser's device token for its logins. */
  device: DeviceCookie;
  confirmBinding: ConfirmBindingCookie;
}
