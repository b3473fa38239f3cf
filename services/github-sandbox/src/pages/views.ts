import type { Context } from 'koa';
import nunjucks from 'nunjucks';
import { viewsDir } from '../paths.js';

const dateTime = new Intl.DateTimeFormat('en-GB', { dateStyle: 'medium', timeStyle: 'short', timeZone: 'UTC' });

/** One nunjucks environment: autoescaped, templates compiled once. */
export function createViews(): nunjucks.Environment {
  const env = new nunjucks.Environment(new nunjucks.FileSystemLoader(viewsDir), {
    autoescape: true,
    trimBlocks: true,
    lstripBlocks: true,
  });
  env.addFilter('datetime', (value: unknown) => {
    const date = value instanceof Date ? value : new Date(String(value));
    return Number.isNaN(date.getTime()) ? '' : `${dateTime.format(date)} UTC`;
  });
  return env;
}

/** Renders a page (no script runs on any of them, so the policy allows none). */
export async function renderPage(
  env: nunjucks.Environment,
  ctx: Context,
  view: string,
  locals: Record<string, unknown>,
  status = 200,
): Promise<void> {
  const html = await new Promise<string>((resolve, reject) => {
    env.render(`pages/${view}.njk`, locals, (err, out) => (err ? reject(err) : resolve(out ?? '')));
  });
  ctx.status = status;
  ctx.type = 'text/html; charset=utf-8';
  ctx.set('Cache-Control', 'no-store');
  ctx.set(
    'Content-Security-Policy',
    "default-src 'none'; style-src 'self'; img-src 'self' data:; frame-ancestors 'none'; base-uri 'none'",
  );
  ctx.set('X-Frame-Options', 'DENY');
  ctx.set('X-Content-Type-Options', 'nosniff');
  ctx.body = html;
}
