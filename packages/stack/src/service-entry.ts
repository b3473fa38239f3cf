/**
 * What the frame needs to know about one service. Everything that used to be
 * spread over nginx, the local run, compose and the tests is derived from a
 * list of these (services.ts), so adding a service is one entry.
 */

import type { RateZone } from './edge-policy.js';
import type { SecretName } from './secrets.js';

export type { RateZone, SecretName };

export interface RouteSpec {
  /** Public path prefix, starting and ending with '/', e.g. '/api/auth/'. */
  prefix: string;
  /** Strip the prefix before passing the request on (auth lives at its own root). */
  stripPrefix?: boolean;
  /** Allow WebSocket upgrades on this route. */
  websocket?: boolean;
  /** Responses are fingerprinted files: cache them for a year. */
  immutableAssets?: boolean;
}

export interface RateLimitedPath {
  /** Service-relative path of a POST endpoint (or form) to budget. */
  path: string;
  zone: RateZone;
}

export interface BearerRoute {
  method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  /** Service-relative path. */
  path: string;
  /** A body the route accepts, so only the token can be the reason for a refusal. */
  body?: Record<string, unknown>;
}

/** Addresses of the other parts of the stack, as this service should reach them. */
export interface StackAddresses {
  /** Internal base URL of a service by name, e.g. url('auth') → http://127.0.0.1:3001. */
  url(service: string): string;
  /** The public base URL people use. */
  publicUrl: string;
}

export interface ServiceEntry {
  /** Short name: compose service, nginx upstream, log prefix, data directory. */
  name: string;
  /** The npm workspace's package name. */
  package: string;
  /** The workspace directory, relative to the repository root. */
  dir: string;
  /** The package export holding the service's zod config schema. */
  configExport: string;
  /** Default port (the service's own PORT default). */
  port: number;
  /** Public routes the edge (nginx or the Node gateway) sends here. */
  routes: RouteSpec[];
  /**
   * Service-relative paths the edge refuses with 404 (service-to-service
   * endpoints). Matched case-insensitively, with everything below them.
   * /metrics, /readyz and /healthz are always internal.
   */
  internal?: string[];
  /** POST endpoints limited per client IP at the edge. */
  rateLimited?: RateLimitedPath[];
  /** Secrets the service reads (as KEY, or KEY_FILE in compose). */
  secrets?: SecretName[];
  /** Needs a Postgres database of its own (PGlite in DATA_DIR locally). */
  database?: boolean;
  /** Uses Redis when REDIS_URL is set (compose sets it; the local run does not). */
  redis?: boolean;
  /** Sends mail over SMTP_URL. */
  smtp?: boolean;
  /** Environment pointing at the rest of the stack (internal URLs of other services). */
  links?: (addresses: StackAddresses) => Record<string, string>;
  /** Other services that must be healthy first. */
  dependsOn?: string[];
  /** Routes that take a bearer token; the e2e suite checks a revoked token is refused on each. */
  bearerRoutes?: BearerRoute[];
}
