export { mirrorConfigSchema, readMirrorConfig, type MirrorConfig } from './config.js';
export { createMirrorRuntime, type MirrorRuntime, type RuntimeOverrides } from './runtime.js';
export { createMirrorApp } from './app.js';
export type { MirrorDeps, AccessTokenVerifier, Verdict, BearerClaims } from './deps.js';
export { sourceTreeAt, type SourceTree } from './mirror/source-tree.js';
