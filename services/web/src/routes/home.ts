import Router from '@koa/router';
import { render } from '../views.js';

export function homeRoutes() {
  return new Router().get('/', async (ctx) => {
    await render(ctx, 'home');
  });
}
