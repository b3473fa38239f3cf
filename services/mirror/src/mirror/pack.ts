import { existsSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { AppError } from '@gatehouse/service-kit';
import { git } from './git.js';
import { scanForSecrets } from './secret-scan.js';
import type { SourceTree } from './source-tree.js';

/** The one file the mirror adds, which (with the description) marks a repository as ours. */
export const markerPath = '.gatehouse-mirror';
export const mirrorDescription = 'Mirror of Gatehouse, pushed by its mirror service.';
export const mirrorBranch = 'main';

export interface MirrorCommit {
  gitDir: string;
  commit: string;
  tree: string;
  version: string;
}

const identity = (time: number) => ({
  GIT_AUTHOR_NAME: 'Gatehouse mirror',
  GIT_AUTHOR_EMAIL: 'mirror@gatehouse.invalid',
  GIT_COMMITTER_NAME: 'Gatehouse mirror',
  GIT_COMMITTER_EMAIL: 'mirror@gatehouse.invalid',
  GIT_AUTHOR_DATE: `${time} +0000`,
  GIT_COMMITTER_DATE: `${time} +0000`,
});

/**
 * Builds the mirror commit in a scratch bare repository: exactly the tracked
 * files, byte for byte with their modes (git reads them from the work tree as
 * `git add` would), plus the marker. Deterministic: the same source gives the
 * same commit id, which is how "already current" is detected.
 */
export async function buildMirrorCommit(source: SourceTree, gitDir: string): Promise<MirrorCommit> {
  const files = await source.files();
  const findings = await scanForSecrets(source.dir, files);
  if (findings.length > 0) {
    const where = findings
      .slice(0, 5)
      .map((f) => `${f.path}:${f.line} (${f.kind})`)
      .join(', ');
    throw new AppError('secret_detected', {
      message: `The source contains credential-looking strings, so nothing was pushed: ${where}.`,
    });
  }
  const version = await source.version();
  await rm(gitDir, { recursive: true, force: true });
  await git(['init', '--bare', '-q', gitDir]);
  const index = join(gitDir, 'mirror-index');
  const env = { GIT_INDEX_FILE: index, GIT_DIR: gitDir, GIT_WORK_TREE: source.dir };
  await git(['update-index', '--add', '-z', '--stdin'], { cwd: source.dir, env, input: files.join('\0') + '\0' });
  const marker = `${JSON.stringify({ generator: 'gatehouse-mirror', version: version.label })}\n`;
  const markerBlob = (await git(['hash-object', '-w', '--stdin'], { env, input: marker })).toString().trim();
  await git(['update-index', '--add', '--cacheinfo', `100644,${markerBlob},${markerPath}`], { env });
  const tree = (await git(['write-tree'], { env })).toString().trim();
  const message = `Gatehouse ${version.label}\n\nThe tracked source files of Gatehouse ${version.label}, mirrored by Gatehouse.\n`;
  const commit = (await git(['commit-tree', tree, '-m', message], { env: { ...env, ...identity(version.time) } }))
    .toString()
    .trim();
  return { gitDir, commit, tree, version: version.label };
}

export const packExists = (gitDir: string) => existsSync(join(gitDir, 'HEAD'));
