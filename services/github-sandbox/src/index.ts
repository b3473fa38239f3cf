export {
  sandboxConfigSchema,
  readSandboxConfig,
  oauthAppsOf,
  type SandboxConfig,
  type OAuthAppConfig,
} from './config.js';
export { createSandboxRuntime, type SandboxRuntime, type SandboxRuntimeOverrides } from './runtime.js';
export { createSandboxApp, apiPrefix } from './app.js';
export type { SandboxDeps, SandboxSettings } from './deps.js';
