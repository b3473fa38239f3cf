import type Koa from 'koa';
import type { Queryable } from '@gatehouse/db';
import { routesOf } from './routes.js';

/**
 * Every path the app's routers answer GET (and so HEAD) on, read from the
 * routers themselves: a GET route added tomorrow is walked without anyone
 * listing it. `:params` (and `*wildcards`) are filled from `params` (else "x").
 */
export function safeMethodPaths(app: Koa, params: Record<string, string> = {}): string[] {
  const gets = routesOf(app).filter((route) => route.method === 'GET');
  return [...new Set(gets.map((r) => r.path.replace(/[:*](\w+)/g, (_, name: string) => params[name] ?? 'x')))].sort();
}

/**
 * A digest of every table's rows (but `except`), to compare before and after
 * a request: any insert, update or delete changes it.
 */
export async function tableDigests(q: Queryable, except: string[] = []): Promise<Record<string, string>> {
  const { rows: tables } = await q.query<{ table_name: string }>(
    `SELECT table_name FROM information_schema.tables
     WHERE table_schema = current_schema() AND table_type = 'BASE TABLE' ORDER BY table_name`,
  );
  const out: Record<string, string> = {};
  for (const { table_name: name } of tables) {
    if (except.includes(name)) continue;
    const { rows } = await q.query<{ digest: string }>(
      `SELECT count(*) || ':' || md5(coalesce(string_agg(t::text, '|' ORDER BY t::text), '')) AS digest FROM "${name}" t`,
    );
    out[name] = rows[0]!.digest;
  }
  return out;
}

export interface SafeMethodWalk {
  /** Requests made, as "METHOD path". */
  visited: string[];
  /** Requests after which the state differed, with the tables that changed. */
  changed: { request: string; tables: string[] }[];
}

/**
 * Sends GET and HEAD to every path and compares `state()` after each request
 * with before it. A response that never ends (an event stream) is cut after
 * `timeoutMs`; what it wrote by then still counts.
 */
export async function walkSafeMethods(options: {
  baseUrl: string;
  paths: string[];
  headers?: Record<string, string>;
  state: () => Promise<Record<string, string>>;
  timeoutMs?: number;
}): Promise<SafeMethodWalk> {
  const walk: SafeMethodWalk = { visited: [], changed: [] };
  for (const path of options.paths) {
    for (const method of ['GET', 'HEAD']) {
      const before = await options.state();
      const abort = AbortSignal.timeout(options.timeoutMs ?? 1500);
      try {
        const res = await fetch(options.baseUrl + path, {
          method,
          headers: options.headers ?? {},
          redirect: 'manual',
          signal: abort,
        });
        await res.arrayBuffer();
      } catch (err) {
        if (!abort.aborted) throw err;
      }
      const after = await options.state();
      const request = `${method} ${path}`;
      walk.visited.push(request);
      const tables = Object.keys({ ...before, ...after }).filter((k) => before[k] !== after[k]);
      if (tables.length) walk.changed.push({ request, tables });
    }
  }
  return walk;
}
