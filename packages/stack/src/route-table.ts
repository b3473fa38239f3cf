import type { RateZone, ServiceEntry } from './service-entry.js';

/**
 * The edge's routing, derived from the service list. nginx's template is
 * generated from it and the Node gateway routes with it, so both answer the
 * same path the same way.
 */

/** The service kit's operational endpoints: for probes and Prometheus, never the public. */
export const operationalPaths = ['/metrics', '/readyz', '/healthz'];

/** Everything under /api/ belongs to a service; an unknown one is a JSON 404, not a web page. */
export const apiPrefix = '/api/';

/** The edge's own liveness answer (compose healthcheck, start-up wait). */
export const edgeHealthPath = '/healthz';

export interface EdgeRoute {
  service: string;
  prefix: string;
  stripPrefix: boolean;
  websocket: boolean;
  immutableAssets: boolean;
}

export interface ExactPath {
  service: string;
  route: EdgeRoute;
  /** The public prefix the path sits under (matched case-sensitively, like the route). */
  prefix: string;
  /** The rest after the prefix, matched case-insensitively (Koa's router ignores case). */
  rest: string;
}

export interface LimitedPath extends ExactPath {
  zone: RateZone;
}

export interface Upstream {
  service: string;
  /** nginx upstream block name. */
  name: string;
  /** The envsubst variable holding host:port, e.g. AUTH_UPSTREAM. */
  variable: string;
  port: number;
}

/**
 * A stand-in's own server at the edge (see StandIn): everything on the stand-in's public port goes to it,
 * with none of Gatehouse's policies.
 */
export interface StandInDoor {
  service: string;
  /** The host it plays, e.g. github.localhost. */
  hostAlias: string;
  /** Its public port (the entry's port, 3003): the edge listens there for it. */
  port: number;
  /** The envsubst variable for that listen address, e.g. GATEHOUSE_GITHUB_SANDBOX_LISTEN. */
  listenVariable: string;
  /** The envsubst variable holding the stand-in's own host:port, e.g. GITHUB_SANDBOX_UPSTREAM. */
  upstreamVariable: string;
  /** How long either side may stay silent: a big push is long quiet while the stand-in writes it to disk. */
  timeoutSeconds: number;
}

const standInTimeoutSeconds = 3600;

export interface RouteTable {
  upstreams: Upstream[];
  /** One server each, on the stand-in's port; never an upstream of the routes. */
  standIns: StandInDoor[];
  /** Longest prefix first: the first that matches wins. */
  routes: EdgeRoute[];
  /** Refused with 404, matched before any route. */
  blocked: ExactPath[];
  /** Rate-limited POSTs. */
  limited: LimitedPath[];
}

const variablePart = (service: string) => service.toUpperCase().replace(/[^A-Z0-9]/g, '_');

export function upstreamVariable(service: string): string {
  return `${variablePart(service)}_UPSTREAM`;
}

export function buildRouteTable(services: readonly ServiceEntry[]): RouteTable {
  const names = new Set<string>();
  const routes: EdgeRoute[] = [];
  for (const entry of services) {
    if (entry.standIn && entry.routes.length)
      throw new Error(`${entry.name}: a stand-in is another host; it takes no routes at the edge`);
    if (!/^[a-z][a-z0-9-]*$/.test(entry.name))
      throw new Error(`service name "${entry.name}" must be lower-case letters, digits and dashes`);
    if (names.has(entry.name)) throw new Error(`service "${entry.name}" is listed twice`);
    names.add(entry.name);
    for (const route of entry.routes) {
      if (!route.prefix.startsWith('/') || !route.prefix.endsWith('/')) {
        throw new Error(`${entry.name}: route prefix "${route.prefix}" must start and end with "/"`);
      }
      if (routes.some((r) => r.prefix === route.prefix))
        throw new Error(`route prefix "${route.prefix}" is claimed twice`);
      if (route.prefix === apiPrefix)
        throw new Error(`${entry.name}: "${apiPrefix}" itself is reserved; mount under it`);
      routes.push({
        service: entry.name,
        prefix: route.prefix,
        stripPrefix: route.stripPrefix ?? false,
        websocket: route.websocket ?? false,
        immutableAssets: route.immutableAssets ?? false,
      });
    }
  }
  routes.sort((a, b) => b.prefix.length - a.prefix.length || a.prefix.localeCompare(b.prefix));

  const blocked: ExactPath[] = [];
  const limited: LimitedPath[] = [];
  for (const entry of services) {
    for (const path of [...operationalPaths, ...(entry.internal ?? [])]) {
      for (const at of publicPlaces(entry, routes, path)) blocked.push(at);
    }
    for (const { path, zone } of entry.rateLimited ?? []) {
      const places = publicPlaces(entry, routes, path);
      if (places.length === 0)
        throw new Error(`${entry.name}: rate-limited path ${path} is not reachable through any route`);
      for (const at of places) limited.push({ ...at, zone });
    }
  }
  // The edge answers /healthz itself; blocking it under "/" would shadow that.
  const reachableBlocked = blocked.filter((b) => `${b.prefix}${b.rest}` !== edgeHealthPath);

  // A stand-in has no upstream block, resolved at start: nginx would refuse to start without the host, and the
  // production profile lacks it. Its own server looks it up per request instead.
  const upstreams = services
    .filter((entry) => !entry.standIn)
    .map((entry) => ({
      service: entry.name,
      name: entry.name.replace(/-/g, '_'),
      variable: upstreamVariable(entry.name),
      port: entry.port,
    }));
  const standIns = services.flatMap((entry) =>
    entry.standIn
      ? [
          {
            service: entry.name,
            hostAlias: entry.standIn.hostAlias,
            port: entry.port,
            listenVariable: `GATEHOUSE_${variablePart(entry.name)}_LISTEN`,
            upstreamVariable: upstreamVariable(entry.name),
            timeoutSeconds: standInTimeoutSeconds,
          },
        ]
      : [],
  );
  return { upstreams, standIns, routes, blocked: reachableBlocked, limited };
}

/**
 * Where a service-relative path shows up publicly: through each of the
 * service's routes that would actually deliver it to this service.
 */
function publicPlaces(entry: ServiceEntry, routes: EdgeRoute[], servicePath: string): ExactPath[] {
  if (!servicePath.startsWith('/')) throw new Error(`${entry.name}: path "${servicePath}" must start with "/"`);
  const places: ExactPath[] = [];
  for (const route of routes.filter((r) => r.service === entry.name)) {
    let publicPath: string;
    if (route.stripPrefix) publicPath = route.prefix + servicePath.slice(1);
    else if (servicePath.startsWith(route.prefix) || `${servicePath}/` === route.prefix) publicPath = servicePath;
    else continue;
    // Only if no longer prefix (another route) takes the path first.
    const winner = routes.find((r) => publicPath.startsWith(r.prefix));
    if (winner !== route) continue;
    places.push({ service: entry.name, route, prefix: route.prefix, rest: publicPath.slice(route.prefix.length) });
  }
  return places;
}

export type Resolution =
  | { kind: 'health' }
  | { kind: 'blocked' }
  | { kind: 'no-route' }
  | { kind: 'proxy'; route: EdgeRoute; zone: RateZone | undefined; upstreamPath: string };

/**
 * Routes a normalized path (see normalizePath) the way the generated nginx
 * config does: exact /healthz, then blocked paths, then rate-limited ones,
 * then the longest prefix; nothing under /api/ falls through to web.
 */
export function resolve(table: RouteTable, path: string, method: string): Resolution {
  if (path === edgeHealthPath) return { kind: 'health' };
  if (table.blocked.some((b) => matchesExact(b, path, true))) return { kind: 'blocked' };
  const limited = table.limited.find((l) => matchesExact(l, path, false));
  const route = limited?.route ?? table.routes.find((r) => path.startsWith(r.prefix));
  if (!route || (path.startsWith(apiPrefix) && !route.prefix.startsWith(apiPrefix))) return { kind: 'no-route' };
  const upstreamPath = route.stripPrefix ? `/${path.slice(route.prefix.length)}` : path;
  return { kind: 'proxy', route, zone: limited && method === 'POST' ? limited.zone : undefined, upstreamPath };
}

/** Blocked paths cover everything below them; limited ones allow one trailing slash. */
function matchesExact(place: ExactPath, path: string, subtree: boolean): boolean {
  if (!path.startsWith(place.prefix)) return false;
  const rest = path.slice(place.prefix.length).toLowerCase();
  const want = place.rest.toLowerCase();
  if (rest === want || rest === `${want}/`) return true;
  return subtree && rest.startsWith(`${want}/`);
}

/**
 * nginx's URI normalization: decode %XX, merge slashes, resolve "." and "..".
 * Returns undefined where nginx answers 400 (bad escapes, climbing above /).
 */
export function normalizePath(rawPath: string): string | undefined {
  if (!rawPath.startsWith('/')) return undefined;
  let decoded: string;
  try {
    decoded = decodeURIComponent(rawPath);
  } catch {
    return undefined;
  }
  if (decoded.includes('\0')) return undefined;
  const out: string[] = [];
  const segments = decoded.split('/');
  for (let i = 1; i < segments.length; i++) {
    const segment = segments[i]!;
    const last = i === segments.length - 1;
    if (segment === '' && !last) continue;
    if (segment === '.') {
      if (last) out.push('');
      continue;
    }
    if (segment === '..') {
      if (out.length === 0) return undefined;
      out.pop();
      if (last) out.push('');
      continue;
    }
    out.push(segment);
  }
  return `/${out.join('/')}`;
}
