export { authConfigSchema, readAuthConfig, type AuthConfig } from './config.js';
export { createAuthRuntime, type AuthRuntime, type RuntimeOverrides } from './runtime.js';
export { createAuthApp } from './app.js';
export type { AuthDeps, AuthSettings } from './deps.js';
export type { AccessClaims } from './tokens/access-tokens.js';
export type { PublicUser } from './users/users.js';
