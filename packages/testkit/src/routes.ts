/** One route an app answers: a method and the router's path pattern (`/v1/mirrors/:id`). */
export interface Endpoint {
  method: string;
  path: string;
}

interface RouterLike {
  stack: { methods: string[]; path: string | RegExp }[];
}

/**
 * Every route of every router an app mounted, read from the app itself, so a
 * test over "every endpoint" covers a route the day it is added. HEAD is left
 * out where GET is there (the router answers it from GET).
 */
export function routesOf(app: { middleware: unknown[] }): Endpoint[] {
  const seen = new Set<string>();
  const out: Endpoint[] = [];
  for (const middleware of app.middleware) {
    const router = (middleware as { router?: RouterLike }).router;
    for (const layer of router?.stack ?? []) {
      if (typeof layer.path !== 'string') continue;
      for (const method of layer.methods) {
        if (method === 'HEAD' && layer.methods.includes('GET')) continue;
        const key = `${method} ${layer.path}`;
        if (seen.has(key)) continue;
        seen.add(key);
        out.push({ method, path: layer.path });
      }
    }
  }
  return out;
}
