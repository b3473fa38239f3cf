export { errorCodes, type ErrorCode } from './error-codes.js';
export { fieldCodes, type FieldCode } from './field-codes.js';
export { fieldIssue, textField, fieldError } from './field-issue.js';
export { AppError, isAppError, type AppErrorOptions, type FieldError } from './app-error.js';
export { systemClock, ManualClock, type Clock } from './clock.js';
export { loginLockPolicy, lockMs, type LockPolicy } from './lock-policy.js';
export { createLogger, redactPaths, redactUrl, type Logger, type CreateLoggerOptions } from './logger.js';
export { parseStrictJson } from './strict-json.js';
export { bodyParser, type BodyParserOptions, type FormPolicy } from './body-parser.js';
export { trustedProxies, defaultTrustedProxies } from './trusted-proxies.js';
export { textProblem, maxTextLength } from './safe-text.js';
export { requestId, requestIdPattern } from './request-id.js';
export { errorHandler, toProblem, type Problem } from './error-handler.js';
export { createMetrics, type Metrics } from './metrics.js';
export { healthRoutes, type ReadinessCheck } from './health.js';
export { createService, type Service, type ServiceOptions } from './create-service.js';
export { serve, exitOnSignals, type Running, type ServeOptions } from './serve.js';
export { runService, type ListenConfig, type ServiceRuntime } from './run-service.js';
export { createRedis, redisTunings, type RedisTuning } from './redis.js';
export {
  loadConfig,
  loadConfigOrExit,
  describeConfig,
  configFields,
  ConfigError,
  type Env,
  type ConfigDoc,
} from './config.js';
export { validate } from './validate.js';
export { requireServiceCredential } from './service-auth.js';
