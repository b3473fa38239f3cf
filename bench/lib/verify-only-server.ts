// The baseline for /v1/me: a bare Koa endpoint that only verifies the
// access token, with the same library, algorithm pinning and parsed key.
import { createPublicKey } from 'node:crypto';
import { readFileSync } from 'node:fs';
import jwt from 'jsonwebtoken';
import Koa from 'koa';

const key = createPublicKey(readFileSync(process.env.KEY_FILE!, 'utf8'));
const app = new Koa();
app.use((ctx) => {
  if (ctx.path === '/ready') {
    ctx.body = 'ok';
    return;
  }
  const token = /^Bearer (.+)$/.exec(ctx.get('authorization'))?.[1] ?? '';
  try {
    const claims = jwt.verify(token, key, {
      algorithms: ['ES256'],
      issuer: process.env.ISSUER,
      audience: 'gatehouse',
    }) as jwt.JwtPayload;
    ctx.body = { sub: claims.sub };
  } catch {
    ctx.status = 401;
  }
});
app.listen(Number(process.env.PORT), '127.0.0.1');
