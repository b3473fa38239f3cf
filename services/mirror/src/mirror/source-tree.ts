import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { git } from './git.js';

export interface SourceVersion {
  /** Names the source in the commit message, e.g. `0.1.0 (3f2a9c1d0e4b)`. */
  label: string;
  /** Seconds since the epoch; the mirror commit's date, so the same version gives the same commit. */
  time: number;
}

export interface SourceTree {
  dir: string;
  files(): Promise<string[]>;
  version(): Promise<SourceVersion>;
}

/** Written at image build (`git ls-files` and the commit), for containers without .git. */
export const manifestName = 'gatehouse-source.json';

interface Manifest {
  version: string;
  time: number;
  files: string[];
}

/**
 * The tracked files of the running Gatehouse: `git ls-files` of the checkout
 * when it has .git, else the manifest recorded at image build.
 */
export function sourceTreeAt(dir: string): SourceTree {
  const hasGit = existsSync(join(dir, '.git'));
  const manifest = async () => JSON.parse(await readFile(join(dir, manifestName), 'utf8')) as Manifest;
  return {
    dir,
    async files() {
      if (!hasGit) return (await manifest()).files;
      const out = await git(['ls-files', '-z', '--cached'], { cwd: dir });
      // A tracked file deleted from the work tree is not part of what runs.
      const paths = out.toString('utf8').split('\0').filter(Boolean);
      return paths.filter((p) => existsSync(join(dir, p)));
    },
    async version() {
      if (!hasGit) {
        const m = await manifest();
        return { label: m.version, time: m.time };
      }
      const [sha, time, pkg] = await Promise.all([
        git(['rev-parse', 'HEAD'], { cwd: dir }),
        git(['log', '-1', '--format=%ct'], { cwd: dir }),
        readFile(join(dir, 'package.json'), 'utf8').then(
          (t) => (JSON.parse(t) as { version?: string }).version ?? '0.0.0',
        ),
      ]);
      return { label: `${pkg} (${sha.toString().trim().slice(0, 12)})`, time: Number(time.toString().trim()) };
    },
  };
}
