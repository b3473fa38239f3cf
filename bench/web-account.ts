// Web benchmark: the logged-in /account page (session lookup, local token
// check against the revocation feed, template render, security headers) as
// requests per second, against bare Koa rendering the same template with the
// same engine, measured in the same run on the same machine.
//   npx node --conditions=gatehouse-source --import=tsx bench/web-account.ts
//   (needs DATABASE_URL; REDIS_URL adds a run with Redis sessions; BENCH_SECONDS, BENCH_CONCURRENCY)
// Servers run as separate processes; the load comes from this one, over loopback.
import { benchWeb } from './lib/web-bench.js';

const seconds = Number(process.env.BENCH_SECONDS ?? 8);
const concurrency = Number(process.env.BENCH_CONCURRENCY ?? 32);
const adminUrl = process.env.DATABASE_URL;
if (!adminUrl) throw new Error('set DATABASE_URL (a Postgres server the bench may create databases on)');

console.log(`bench: ${concurrency} keep-alive connections, ${seconds} s per measurement, Node ${process.version}`);
const { rows } = await benchWeb({ adminUrl, redisUrl: process.env.REDIS_URL, seconds, concurrency });
console.log(`\n| measure | ratio | numbers |\n| --- | --- | --- |\n${rows.join('\n')}`);
