import { fileURLToPath } from 'node:url';

// Beside src/ and dist/ in the package, so the same path works from either.
export const migrationsDir = fileURLToPath(new URL('../migrations', import.meta.url));
