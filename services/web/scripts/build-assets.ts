// The build step for stylesheets and images: compiles Sass, fingerprints
// every file and writes them with a manifest to dist/assets, which built
// code (ASSETS_MODE=auto or prebuilt) serves.
import { mkdir, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { builtAssetsDir, compileAssets, type Manifest } from '../src/assets.js';

const assets = await compileAssets();
await rm(builtAssetsDir, { recursive: true, force: true });
await mkdir(builtAssetsDir, { recursive: true });
const manifest: Manifest = {};
for (const [name, asset] of assets) {
  await writeFile(join(builtAssetsDir, asset.file), asset.body);
  manifest[name] = asset.file;
}
await writeFile(join(builtAssetsDir, 'manifest.json'), `${JSON.stringify(manifest, null, 2)}\n`);
process.stdout.write(`assets: ${Object.values(manifest).join(', ')} → ${builtAssetsDir}\n`);
