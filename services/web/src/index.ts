export { webConfigSchema, readWebConfig, type WebConfig } from './config.js';
export { createWebRuntime, type WebRuntime, type WebRuntimeOverrides } from './runtime.js';
export { createWebApp, sessionCookieName, type WebDeps, type WebSettings } from './app.js';
export {
  createAuthClient,
  AuthRejection,
  type AuthClient,
  type CallContext,
  type Profile,
  type TokenSet,
} from './auth-client.js';
export { safeNext } from './safe-next.js';
