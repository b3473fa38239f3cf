// The process whose verifiers the verifier bench measures: Koa routes that
// check a bearer token with jsonwebtoken alone (the baseline), or with the
// token-verifier package over Redis or over auth's stream.
import { createPublicKey } from 'node:crypto';
import { readFileSync } from 'node:fs';
import jwt from 'jsonwebtoken';
import Koa from 'koa';
import { createVerifier, parseBearer, type Verifier } from '@gatehouse/token-verifier';

const env = (name: string) => process.env[name] ?? '';
const key = createPublicKey(readFileSync(env('KEY_FILE'), 'utf8'));
const common = {
  authUrl: env('AUTH_URL'),
  audience: 'gatehouse',
  issuer: env('ISSUER'),
  credentials: { service: 'bench', secret: env('SERVICE_SECRET') },
  // The bench sends one token over and over: remembering its check would skip the very signature check
  // jsonwebtoken does on each call. /remembered measures that path on its own.
  verifiedCacheSize: 0,
};
const verifiers: Record<string, Verifier> = {
  stream: await createVerifier({ ...common, feed: { transport: 'stream' } }),
  remembered: await createVerifier({ ...common, verifiedCacheSize: 2048, feed: { transport: 'stream' } }),
};
if (process.env.REDIS_URL) {
  verifiers.redis = await createVerifier({
    ...common,
    feed: { transport: 'redis', url: env('REDIS_URL'), channel: `${env('REDIS_PREFIX')}revocations` },
  });
}

const app = new Koa();
app.use(async (ctx) => {
  if (ctx.path === '/ready') {
    ctx.status = Object.values(verifiers).every((v) => v.isFresh()) ? 200 : 503;
    return;
  }
  const token = parseBearer(ctx.get('authorization')) ?? '';
  if (ctx.path === '/jwt') {
    try {
      const claims = jwt.verify(token, key, {
        algorithms: ['RS256'],
        issuer: common.issuer,
        audience: common.audience,
      }) as jwt.JwtPayload;
      ctx.body = { sub: claims.sub };
    } catch {
      ctx.status = 401;
    }
    return;
  }
  const verifier = verifiers[ctx.path.slice(1)];
  if (!verifier) return;
  const verdict = await verifier.verify(token);
  if (verdict.ok) ctx.body = { sub: verdict.claims.sub };
  else ctx.status = 401;
});
app.listen(Number(env('PORT')), '127.0.0.1');
