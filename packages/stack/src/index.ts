export { services, gatehouseClientId } from './services.js';
export type * from './service-entry.js';
export {
  edgeError,
  errorFormat,
  errorHtml,
  errorJson,
  hstsHeader,
  immutableCacheControl,
  maxBodyBytes,
  rateZones,
  requestIdPattern,
  securityHeaders,
} from './edge-policy.js';
export { buildRouteTable, normalizePath, resolve, type RouteTable, type StandInDoor } from './route-table.js';
export { generateNginx } from './nginx/generate-nginx.js';
export { renderTemplate, templateVariables } from './nginx/render-template.js';
export { prepareNginx, nginxArgs, checkNginxConfig, findNginx } from './nginx/local-nginx.js';
export { createGateway, type Gateway } from './gateway/node-gateway.js';
export { createStandInDoor } from './gateway/stand-in-door.js';
export { standInTemplatePath } from './nginx/stand-in-server.js';
export { accessLogVariable, listenVariable, resolverVariable } from './nginx/template-variables.js';
export { RateLimiter } from './gateway/rate-limiter.js';
export { repoRoot } from './paths.js';
export { readStackConfig, servicePortVariable, type StackConfig } from './config.js';
export { ensureSecrets, serviceSecrets } from './secrets.js';
export {
  kubernetesSecrets,
  kubernetesServices,
  secretsMountPath,
  serviceKubernetesSecrets,
  type KubernetesSecret,
} from './kubernetes.js';
export { startStack, StackStartError, type RunningStack, type StackReporter } from './local/run-stack.js';
export { consoleReporter } from './local/console-reporter.js';
export { formatLogLine } from './local/log-format.js';
export { freePort, freePorts } from './local/ports.js';
export { serviceEnv } from './local/service-env.js';
export { selectLocalServices, type LocalSelection } from './local/stand-ins.js';
export {
  generateCompose,
  standInTestVariable,
  composeSecretsDir,
  type ComposeDocument,
} from './compose/generate-compose.js';
export { replicatedServices, scaleArguments } from './compose/replicas-override.js';
export { generatedFiles } from './generated-files.js';
export { fieldCodeTable, withFieldCodeTable } from './field-code-table.js';
