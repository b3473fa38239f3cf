import { fileURLToPath } from 'node:url';

// src/ (development) and dist/ (built) both sit two levels below packages/stack.
export const repoRoot = fileURLToPath(new URL('../../../', import.meta.url)).replace(/\/$/, '');
export const nginxSourceDir = `${repoRoot}/nginx`;
