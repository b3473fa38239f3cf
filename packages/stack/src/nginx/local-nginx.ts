import { spawnSync } from 'node:child_process';
import { accessSync, constants } from 'node:fs';
import { copyFile, mkdir, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { basename, delimiter, join } from 'node:path';
import { nginxSourceDir } from '../paths.js';
import { renderTemplate } from './render-template.js';
import { standInTemplatePath } from './stand-in-server.js';

/**
 * nginx run by an ordinary user: its own prefix directory (pid, temp files)
 * with a copy of nginx/ laid out as /etc/nginx is in the image, and the site
 * rendered from the same template the image renders.
 */
export interface NginxLayout {
  /** The prefix directory (-p), e.g. <repo>/.data/nginx. */
  dir: string;
  /** The main config file (-c). */
  conf: string;
}

export interface NginxSites {
  /** A tree laid out as nginx/ (default: nginx/ itself). */
  source?: string;
  /** The stand-ins whose servers join the site (stand-ins/<name>.conf.template), as compose mounts them. */
  standIns?: readonly string[];
  /** More files for conf.d/, by name (the local run's internal balancer). */
  extraSites?: Record<string, string>;
}

export async function prepareNginx(
  dir: string,
  variables: Record<string, string | readonly string[]>,
  { source = nginxSourceDir, standIns = [], extraSites = {} }: NginxSites = {},
): Promise<NginxLayout> {
  await mkdir(dir, { recursive: true });
  for (const sub of ['conf.d', 'includes']) {
    await rm(join(dir, sub), { recursive: true, force: true });
    await mkdir(join(dir, sub));
  }
  await copyFile(join(source, 'nginx.conf'), join(dir, 'nginx.conf'));
  for (const name of await readdir(join(source, 'includes'))) {
    if (name.endsWith('.conf')) await copyFile(join(source, 'includes', name), join(dir, 'includes', name));
  }
  const templates = (await readdir(join(source, 'templates')))
    .filter((name) => name.endsWith('.template'))
    .map((name) => `templates/${name}`);
  for (const path of [...templates, ...standIns.map(standInTemplatePath)]) {
    const text = await readFile(join(source, path), 'utf8');
    const name = basename(path, '.template');
    await writeFile(join(dir, 'conf.d', name), renderTemplate(text, variables));
  }
  for (const [name, text] of Object.entries(extraSites)) await writeFile(join(dir, 'conf.d', name), text);
  return { dir, conf: join(dir, 'nginx.conf') };
}

/** Arguments that keep nginx in the foreground, logging to stderr, inside its own prefix. */
export function nginxArgs(layout: NginxLayout): string[] {
  return ['-p', `${layout.dir}/`, '-c', layout.conf, '-e', 'stderr', '-g', 'daemon off;'];
}

/** `nginx -t`: the config's problems as nginx words them, or undefined when it is valid. */
export function checkNginxConfig(bin: string, layout: NginxLayout): string | undefined {
  const result = spawnSync(bin, [...nginxArgs(layout), '-t', '-q'], { encoding: 'utf8' });
  if (result.status === 0) return undefined;
  return (result.stderr || result.stdout || `nginx -t exited with ${result.status}`).trim();
}

// Debian and others install nginx in sbin, which an ordinary user's PATH often lacks.
const extraDirs = ['/usr/sbin', '/usr/local/sbin', '/usr/local/nginx/sbin'];

/** The nginx binary: the one given (NGINX_BIN), else the first on PATH or in the usual sbin directories. */
export function findNginx(where: { nginxBin?: string | undefined; path?: string | undefined }): string | undefined {
  if (where.nginxBin) return isExecutable(where.nginxBin) ? where.nginxBin : undefined;
  const dirs = [...(where.path ?? '').split(delimiter).filter(Boolean), ...extraDirs];
  for (const dir of dirs) {
    const candidate = join(dir, 'nginx');
    if (isExecutable(candidate)) return candidate;
  }
  return undefined;
}

function isExecutable(path: string): boolean {
  try {
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}
