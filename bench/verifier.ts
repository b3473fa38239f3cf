// Token-verifier benchmark, in one run on this machine:
//  1. verify throughput: a Koa route checking the bearer token with the
//     package, against a Koa route that only calls jsonwebtoken.verify with
//     the same RS256 key (same process, same load);
//  2. revocation latency: from auth answering a logout to a second process's
//     verifier refusing the token, over 200 logouts, with Redis and without.
//   npm run bench:verifier   (needs DATABASE_URL; REDIS_URL adds the Redis transport; BENCH_SECONDS, BENCH_CONCURRENCY)
import { benchVerifier } from './lib/verifier-bench.js';

const seconds = Number(process.env.BENCH_SECONDS ?? 8);
const concurrency = Number(process.env.BENCH_CONCURRENCY ?? 32);
const adminUrl = process.env.DATABASE_URL;
if (!adminUrl) throw new Error('set DATABASE_URL (a Postgres server the bench may create databases on)');

console.log(`bench: ${concurrency} keep-alive connections, ${seconds} s per measurement, Node ${process.version}`);
const { rows } = await benchVerifier({ adminUrl, redisUrl: process.env.REDIS_URL, seconds, concurrency });
console.log(`\n| measure | result | numbers |\n| --- | --- | --- |\n${rows.join('\n')}`);
