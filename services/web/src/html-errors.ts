import type { Context, Middleware } from 'koa';
import { isAppError, type Logger } from '@gatehouse/service-kit';
import { expiredFormText } from './forms.js';

interface ErrorPage {
  status: number;
  title: string;
  text: string;
}

const pages: Record<number, Omit<ErrorPage, 'status'>> = {
  400: {
    title: 'That request didn’t look right',
    text: 'Something in what your browser sent could not be understood. Go back and try again.',
  },
  403: { title: 'This form expired', text: expiredFormText },
  404: {
    title: 'Page not found',
    text: 'There is nothing at this address. Check the link, or start again from the home page.',
  },
  405: { title: 'Not available', text: 'This page cannot be used that way.' },
  413: { title: 'Too much to send', text: 'The form was larger than we accept. Go back and shorten what you entered.' },
  500: {
    title: 'Something went wrong',
    text: 'We could not finish this on our side, and nothing you did caused it. Please try again in a moment.',
  },
  503: {
    title: 'Temporarily unavailable',
    text: 'Part of Gatehouse is not answering right now. Nothing was lost; please try again in a moment.',
  },
};

function pageFor(status: number): ErrorPage {
  const known = pages[status] ?? pages[status >= 500 ? 500 : 400]!;
  return { status, ...known };
}

/**
 * Browsers get error pages, never JSON or stack traces. Expected problems
 * (AppError 4xx) show their own message; anything else is logged with the
 * request id and shown as a generic page carrying only that id.
 */
export function htmlErrors(logger: Logger): Middleware {
  return async (ctx, next) => {
    try {
      await next();
      if (ctx.body == null && (ctx.status === 404 || ctx.status === 405)) await show(ctx, pageFor(ctx.status));
    } catch (caught) {
      let page: ErrorPage;
      if (isAppError(caught) && caught.status < 500) {
        page = { ...pageFor(caught.status), text: caught.message };
      } else {
        const status = isAppError(caught)
          ? caught.status
          : (caught as { unavailable?: unknown })?.unavailable === true
            ? 503
            : 500;
        logger.error({ req_id: ctx.state.requestId, err: caught, path: ctx.path }, 'request failed');
        page = pageFor(status);
        if (status === 503) ctx.set('Retry-After', '5');
      }
      await show(ctx, page);
    }
  };
}

/** The error page for a status, answered directly (the CSRF guard's plain refusal). */
export function showErrorPage(ctx: Context, status: number): Promise<void> {
  return show(ctx, pageFor(status));
}

async function show(ctx: Context, page: ErrorPage): Promise<void> {
  ctx.status = page.status;
  ctx.set('Cache-Control', 'no-store');
  try {
    await ctx.render('pages/error', { page, requestId: ctx.state.requestId });
  } catch {
    // The template engine itself failed: plain words still beat a blank page.
    ctx.type = 'text/plain; charset=utf-8';
    ctx.body = `${page.title}. Reference: ${ctx.state.requestId}`;
  }
  ctx.status = page.status;
}
