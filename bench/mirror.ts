// npm run bench:mirror — mirroring the current tree to the GitHub stand-in, as a ratio to a plain
// `git push` of the same tree by the git CLI, both measured in this run (target ≤ 1.5).
import { benchMirror } from './lib/mirror-bench.js';

const rounds = Number(process.env.BENCH_ROUNDS ?? 3);
const { files, plainMs, mirrorMs, ratio } = await benchMirror({ rounds });
console.log(`bench:mirror — ${files} tracked files, ${rounds} interleaved rounds, medians`);
console.log(`  git CLI push (create + push HEAD): ${plainMs.toFixed(0)} ms`);
console.log(`  mirror job (connect → verify):      ${mirrorMs.toFixed(0)} ms`);
console.log(`  ratio mirror / git push:            ${ratio.toFixed(2)} (target ≤ 1.5)`);
