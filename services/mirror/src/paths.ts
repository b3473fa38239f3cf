import { fileURLToPath } from 'node:url';

// src/ in development and dist/ in images both sit one level below the package root.
const root = new URL('../', import.meta.url);

export const migrationsDir = fileURLToPath(new URL('migrations/', root));
/** The repository checkout this service runs from (services/mirror/../..). */
export const defaultSourceDir = fileURLToPath(new URL('../../', root));
