import { fileURLToPath } from 'node:url';

// src/ in development and dist/ in images both sit one level below the package root.
const root = new URL('../', import.meta.url);

export const migrationsDir = fileURLToPath(new URL('migrations/', root));
export const viewsDir = fileURLToPath(new URL('views/', root));
export const staticDir = fileURLToPath(new URL('static/', root));
/** Git hooks every sandbox repository runs (core.hooksPath points here). */
export const hooksDir = fileURLToPath(new URL('hooks/', root));
