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
  /**
   * The one base URL of a stand-in (see ServiceEntry.standIn) that browsers
   * and services alike use: http://localhost:3003 in the local run,
   * http://github.localhost:3003 in compose.
   */
  hostUrl(service: string): string;
}

/**
 * A stand-in for an outside host (GitHub). It is another host, so the front
 * door (nginx and the Node gateway alike) gives it a server of its own on the
 * entry's port (see StandInDoor in route-table.ts), which passes everything to
 * it with none of Gatehouse's policies: no body limit, no buffering (git
 * streams packs), long timeouts, no rate limits, no error pages or security
 * headers. In the local run the front door owns that port and the process
 * listens on a free one behind it. compose runs the stand-in in the dev and
 * test profiles only; nginx carries the network alias (hostAlias), which
 * containers resolve to it and browsers resolve to loopback (*.localhost),
 * publishes the port on loopback and looks the stand-in up per request, so one
 * base URL serves both and nginx starts without it. Kubernetes leaves it out.
 */
export interface StandIn {
  /** A name under .localhost, e.g. github.localhost. */
  hostAlias: string;
  /**
   * The variables that point Gatehouse at the real host instead. When the
   * caller of the local run exports all of them, they reach every service
   * as exported (over links and generated secrets) and the stand-in is not
   * started; exporting only some is an error naming the rest.
   */
  realHostVariables: string[];
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
  /** Default port (the service's own PORT default); a stand-in's is also its host's public port, on the front door. */
  port: number;
  /**
   * A page people open directly, not through the front door (a stand-in's
   * console, say): the start-up banner lists it under this label.
   */
  directPage?: string;
  /** Public routes the edge (nginx or the Node gateway) sends here. */
  routes: RouteSpec[];
  /** Plays an outside host: no routes at the edge, a server of its own there (see StandIn). */
  standIn?: StandIn;
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
  /**
   * Environment of each replica when the service runs as several (GATEHOUSE_REPLICAS, compose's
   * docker-compose.replicas.yml), over its defaults.
   */
  replicaEnv?: Record<string, string>;
  /** Routes that take a bearer token; the e2e suite checks a revoked token is refused on each. */
  bearerRoutes?: BearerRoute[];
}
