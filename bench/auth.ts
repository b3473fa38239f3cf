// Auth service benchmark: four figures, each a ratio against a baseline
// measured in the same run on the same machine (bench/lib/auth-bench.ts).
//   npm run bench:auth        (needs DATABASE_URL; BENCH_SECONDS to lengthen)
import { availableParallelism } from 'node:os';
import { benchAuth } from './lib/auth-bench.js';

const seconds = Number(process.env.BENCH_SECONDS ?? 8);
const cost = Number(process.env.BCRYPT_COST ?? 12);
const threads = Number(process.env.HASH_WORKERS ?? availableParallelism());
const adminUrl = process.env.DATABASE_URL;
if (!adminUrl) throw new Error('set DATABASE_URL (a Postgres server the bench may create a database on)');

console.log(`bench: cost ${cost}, ${threads} hash threads, ${seconds} s per phase, Node ${process.version}`);
const { rows } = await benchAuth({ adminUrl, seconds, cost, threads });
console.log(`\n| measure | result | target | |\n| --- | --- | --- | --- |\n${rows.join('\n')}`);
process.exit(0);
