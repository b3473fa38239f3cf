// `npm run generate`: rewrites what is derived from the service list (nginx
// template and includes, docker-compose files, the README's configuration
// table). `--check` changes nothing and fails when a file is stale.
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { generatedFiles, repoRoot, services } from '@gatehouse/stack';

const check = process.argv.includes('--check');
const stale: string[] = [];
for (const [path, text] of Object.entries(await generatedFiles(services))) {
  const target = join(repoRoot, path);
  const current = await readFile(target, 'utf8').catch(() => undefined);
  if (current === text) continue;
  stale.push(path);
  if (!check) {
    await mkdir(dirname(target), { recursive: true });
    await writeFile(target, text);
  }
}
if (check && stale.length) {
  console.error(`Stale generated files (run \`npm run generate\`): ${stale.join(', ')}`);
  process.exit(1);
}
console.log(stale.length ? `${check ? 'stale' : 'wrote'}: ${stale.join(', ')}` : 'generated files are up to date');
