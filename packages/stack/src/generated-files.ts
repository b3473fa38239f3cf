import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { composeYaml, offlineOverrideYaml } from './compose/generate-compose.js';
import { replicasOverrideYaml } from './compose/replicas-override.js';
import { configTable, withConfigTable } from './config-table.js';
import { withFieldCodeTable } from './field-code-table.js';
import { withKubernetesSecretTable } from './kubernetes.js';
import { generateNginx } from './nginx/generate-nginx.js';
import { repoRoot } from './paths.js';
import { buildRouteTable } from './route-table.js';
import type { ServiceEntry } from './service-entry.js';
import { rootTsconfig } from './tsconfig-references.js';

/**
 * Every file derived from the service list (and the projects on disk), by path from the repository
 * root, with the content it must have. `npm run generate` writes them;
 * a test fails when one is stale.
 */
export async function generatedFiles(services: readonly ServiceEntry[]): Promise<Record<string, string>> {
  const files: Record<string, string> = {};
  for (const [path, text] of Object.entries(generateNginx(buildRouteTable(services)))) files[`nginx/${path}`] = text;
  files['docker-compose.yml'] = composeYaml(services);
  files['docker-compose.offline.yml'] = offlineOverrideYaml(services);
  files['docker-compose.replicas.yml'] = replicasOverrideYaml(services);
  const readme = await readFile(join(repoRoot, 'README.md'), 'utf8');
  files['README.md'] = withKubernetesSecretTable(withConfigTable(readme, await configTable(services)), services);
  const authReadme = 'services/auth/README.md';
  files[authReadme] = withFieldCodeTable(await readFile(join(repoRoot, authReadme), 'utf8'));
  files['tsconfig.json'] = await rootTsconfig();
  return files;
}
