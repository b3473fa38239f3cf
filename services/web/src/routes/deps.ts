import type { Clock, Logger } from '@gatehouse/service-kit';
import type { AuthClient } from '../auth-client.js';
import type { SignedInSessions } from '../signed-in.js';

/** What every route module is built from. */
export interface RouteDeps {
  auth: AuthClient;
  signedIn: SignedInSessions;
  clock: Clock;
  logger: Logger;
}
