import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Context, Middleware } from 'koa';
import nunjucks from 'nunjucks';
import views from 'koa-views';
import { sessionOf } from './session/session.js';

export const viewsDir = fileURLToPath(new URL('../views', import.meta.url));

const longDate = new Intl.DateTimeFormat('en-GB', { dateStyle: 'long', timeZone: 'UTC' });
const dateTime = new Intl.DateTimeFormat('en-GB', { dateStyle: 'medium', timeStyle: 'medium', timeZone: 'UTC' });

/** One nunjucks environment: autoescaped, templates compiled once (unless watching for edits). */
export function createViewEnvironment(options: { watch: boolean }): nunjucks.Environment {
  const env = new nunjucks.Environment(new nunjucks.FileSystemLoader(viewsDir, { noCache: options.watch }), {
    autoescape: true,
    throwOnUndefined: false,
    trimBlocks: true,
    lstripBlocks: true,
  });
  env.addFilter('longdate', (value: unknown) => {
    const date = new Date(String(value));
    return Number.isNaN(date.getTime()) ? '' : longDate.format(date);
  });
  env.addFilter('datetime', (value: unknown) => {
    const date = new Date(String(value));
    return Number.isNaN(date.getTime()) ? '' : dateTime.format(date);
  });
  return env;
}

/**
 * koa-views with our environment as the engine (consolidate's nunjucks
 * adapter recompiles from a string on every render). Used as per-request
 * middleware: its install-on-context mode shares one `ctx` variable between
 * concurrent renders, which could send one person's page to another.
 */
export function viewsMiddleware(env: nunjucks.Environment): Middleware {
  const engine = (file: string, locals: object) =>
    new Promise<string>((resolve, reject) => {
      env.render(relative(viewsDir, file), locals, (err, html) => (err ? reject(err) : resolve(html ?? '')));
    });
  return views(viewsDir, { extension: 'njk', map: { njk: 'nunjucks' }, engineSource: { nunjucks: engine } });
}

/** Renders a page, showing (and consuming) the flash message the previous request left. */
export async function render(
  ctx: Context,
  view: string,
  locals: Record<string, unknown> = {},
  status?: number,
): Promise<void> {
  const session = sessionOf(ctx);
  const flash = session?.flash;
  if (flash) delete session.flash;
  if (status !== undefined) ctx.status = status;
  await ctx.render(join('pages', view), { flash, ...locals });
}
