import { createHash } from 'node:crypto';
import { watch, type FSWatcher } from 'node:fs';
import { readFile, readdir } from 'node:fs/promises';
import { basename, extname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Middleware } from 'koa';
import type { Logger } from '@gatehouse/service-kit';

export interface Asset {
  /** The fingerprinted file name, e.g. main.3f2a9c1b0d.css. */
  file: string;
  type: string;
  body: Buffer;
  etag: string;
}

export interface AssetSet {
  /** /assets/<fingerprinted name> of a logical name such as "main.css". */
  url(name: string): string;
  find(file: string): Asset | undefined;
  close(): void;
}

export type AssetsMode = 'auto' | 'prebuilt' | 'compile' | 'watch';

const packageRoot = fileURLToPath(new URL('..', import.meta.url));
export const stylesDir = join(packageRoot, 'styles');
export const staticDir = join(packageRoot, 'static');
export const builtAssetsDir = join(packageRoot, 'dist', 'assets');
const runningBuilt = basename(fileURLToPath(new URL('.', import.meta.url))) === 'dist';

const types: Record<string, string> = {
  '.css': 'text/css; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.woff2': 'font/woff2',
};

function fingerprint(name: string, body: Buffer): Asset {
  const hash = createHash('sha256').update(body).digest('hex').slice(0, 12);
  const ext = extname(name);
  const file = `${name.slice(0, -ext.length)}.${hash}${ext}`;
  return { file, type: types[ext] ?? 'application/octet-stream', body, etag: `"${hash}"` };
}

/** Compiles the Sass entry points (files not starting with _) and fingerprints the static files. */
export async function compileAssets(): Promise<Map<string, Asset>> {
  // Loaded only here: built code serves prebuilt assets and never pays Sass's memory.
  const sass = await import('sass');
  const out = new Map<string, Asset>();
  for (const entry of (await readdir(stylesDir)).filter((n) => n.endsWith('.scss') && !n.startsWith('_')).sort()) {
    const { css } = sass.compile(join(stylesDir, entry), { style: 'compressed', sourceMap: false });
    const name = entry.replace(/\.scss$/, '.css');
    out.set(name, fingerprint(name, Buffer.from(css)));
  }
  for (const entry of (await readdir(staticDir)).sort()) {
    out.set(entry, fingerprint(entry, await readFile(join(staticDir, entry))));
  }
  return out;
}

/** What the build step writes beside the files: logical name → fingerprinted file. */
export type Manifest = Record<string, string>;

async function readBuilt(): Promise<Map<string, Asset>> {
  const manifest = JSON.parse(await readFile(join(builtAssetsDir, 'manifest.json'), 'utf8')) as Manifest;
  const out = new Map<string, Asset>();
  for (const [name, file] of Object.entries(manifest)) {
    const body = await readFile(join(builtAssetsDir, file));
    out.set(name, { ...fingerprint(name, body), file });
  }
  return out;
}

/**
 * The site's assets, held in memory. Built code uses the build step's
 * output; source code compiles Sass at startup, and in watch mode again on
 * every change. Old fingerprints stay servable so a page rendered a moment
 * before a recompile still gets its stylesheet.
 */
export async function loadAssets(mode: AssetsMode, logger: Logger): Promise<AssetSet> {
  let current: Map<string, Asset>;
  if (mode === 'prebuilt') {
    current = await readBuilt();
  } else if (mode === 'auto' && runningBuilt) {
    current = await readBuilt().catch(async (err: unknown) => {
      logger.warn(
        { err: (err as Error).message },
        'no built stylesheets (run `npm run build:assets -w @gatehouse/web`); compiling them now',
      );
      return compileAssets();
    });
  } else {
    current = await compileAssets();
  }
  const byFile = new Map<string, Asset>();
  const index = (set: Map<string, Asset>) => {
    for (const asset of set.values()) byFile.set(asset.file, asset);
  };
  index(current);
  let watcher: FSWatcher | undefined;
  if (mode === 'watch') {
    let timer: NodeJS.Timeout | undefined;
    watcher = watch(stylesDir, { recursive: true }, () => {
      clearTimeout(timer);
      timer = setTimeout(() => {
        compileAssets().then(
          (next) => {
            current = next;
            index(next);
            logger.info({ files: [...next.values()].map((a) => a.file) }, 'stylesheets recompiled');
          },
          (err: unknown) => logger.error({ err }, 'stylesheet compile failed; keeping the previous build'),
        );
      }, 50);
    });
  }
  return {
    url(name) {
      const asset = current.get(name);
      if (!asset) throw new Error(`unknown asset ${name}`);
      return `/assets/${asset.file}`;
    },
    find: (file) => byFile.get(file),
    close: () => watcher?.close(),
  };
}

/** /assets/<file>: fingerprinted, so cached for a year and never revalidated. */
export function assetRoutes(assets: AssetSet): Middleware {
  return async (ctx, next) => {
    if (!ctx.path.startsWith('/assets/')) return next();
    if (ctx.method !== 'GET' && ctx.method !== 'HEAD') return next();
    const asset = assets.find(ctx.path.slice('/assets/'.length));
    if (!asset) return next();
    ctx.set('Cache-Control', 'public, max-age=31536000, immutable');
    ctx.set('ETag', asset.etag);
    ctx.type = asset.type;
    if (ctx.get('if-none-match') === asset.etag) {
      ctx.status = 304;
      return;
    }
    ctx.body = asset.body;
  };
}
