import type { MirrorConfig } from './config.js';
import type { AccessTokenVerifier } from './deps.js';

interface VerifierModule {
  createVerifier(options: { authUrl: string; audience: string; redisUrl?: string }): AccessTokenVerifier & { close?(): Promise<void> };
}

/**
 * `@gatehouse/token-verifier` (JWKS + auth's revocation feed). Loaded by name
 * so this service builds while that package lands on its own branch.
 */
export async function loadVerifier(config: MirrorConfig): Promise<AccessTokenVerifier & { close?(): Promise<void> }> {
  const name = '@gatehouse/token-verifier';
  const mod = (await import(name)) as VerifierModule;
  return mod.createVerifier({ authUrl: config.AUTH_URL, audience: config.JWT_AUDIENCE, ...(config.REDIS_URL ? { redisUrl: config.REDIS_URL } : {}) });
}
