// The baseline for the web benchmark: bare Koa rendering the very same
// account template through the same koa-views + nunjucks set-up, with a
// fixed profile. No sessions, no auth call, no security middleware.
import { createServer } from 'node:http';
import Koa from 'koa';
import { createViewEnvironment, viewsMiddleware } from '../../services/web/src/views.js';

const app = new Koa();
app.use(viewsMiddleware(createViewEnvironment({ watch: false })));
app.use(async (ctx) => {
  if (ctx.path === '/ready') {
    ctx.body = 'ok';
    return;
  }
  await ctx.render('pages/account', {
    asset: (name: string) => `/assets/${name}`,
    csrf: () => 'x'.repeat(43),
    user: { username: 'bench0' },
    profile: {
      username: 'bench0',
      email: 'bench0@example.com',
      email_verified: true,
      created_at: '2026-11-21T10:00:00.000Z',
    },
    password: { errors: {} },
  });
});
createServer(app.callback()).listen(Number(process.env.PORT), '127.0.0.1');
