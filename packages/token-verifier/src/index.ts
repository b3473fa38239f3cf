export { createVerifier, type FeedOptions, type Verifier, type VerifierOptions } from './verifier.js';
export { bearerChallenge, claimsOf, parseBearer, requireToken } from './middleware.js';
export {
  accessTokenTyp,
  accessTokenUse,
  checkAccessToken,
  signingAlgorithms,
  type AccessClaims,
  type Refusal,
  type SigningAlgorithm,
  type TokenRuleSettings,
  type VerificationKey,
  type Verdict,
} from './token-rules.js';
export { parseRevocationEvent, revocationKinds, revokes, type RevocationEvent } from './revocation-event.js';
export { parseFeedMessage, type FeedMessage } from './feed-messages.js';
export type { ServiceCredentials } from './auth-endpoints.js';
