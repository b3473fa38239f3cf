// `npm run secrets`: the secret files docker-compose.yml mounts, generated once
// into .data/compose-secrets/ (GATEHOUSE_SECRETS_DIR moves it). Existing files
// are kept: a new pepper would invalidate every password.
import { isAbsolute, join } from 'node:path';
import { composeSecretsDir, ensureSecrets, repoRoot, services, serviceSecrets } from '@gatehouse/stack';

const configured = process.env.GATEHOUSE_SECRETS_DIR;
const dir = configured
  ? isAbsolute(configured)
    ? configured
    : join(repoRoot, configured)
  : join(repoRoot, composeSecretsDir);
const { files, created } = await ensureSecrets({
  dir,
  names: serviceSecrets(services),
  databaseServices: services.filter((s) => s.database).map((s) => s.name),
  // The directory is private (0700); the files must be readable by the containers' own users.
  fileMode: 0o644,
});
console.log(`compose secrets in ${dir}:`);
for (const [name, path] of Object.entries(files))
  console.log(`  ${created.includes(name) ? 'created' : 'kept   '} ${path}`);
