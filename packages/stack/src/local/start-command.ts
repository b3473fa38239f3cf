import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { repoRoot } from '../paths.js';
import type { ServiceEntry } from '../service-entry.js';

/**
 * How the local run starts a service: its own `npm start` script (the one
 * place that names src/server.ts), run directly on this Node rather than
 * through npm, so signals reach the service itself.
 */
export async function startCommand(entry: ServiceEntry): Promise<string[]> {
  const manifest = JSON.parse(await readFile(join(repoRoot, entry.dir, 'package.json'), 'utf8')) as {
    scripts?: { start?: string };
  };
  const words = (manifest.scripts?.start ?? '').split(/\s+/).filter(Boolean);
  if (words[0] !== 'node' || words.length < 2 || words.some((w) => /["'$`\\|&;<>]/.test(w))) {
    throw new Error(`${entry.dir}/package.json: scripts.start must be a plain "node … src/server.ts" command`);
  }
  return words.slice(1);
}
