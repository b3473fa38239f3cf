export {
  freshDatabase,
  freshDatabases,
  reserveDatabaseShare,
  availableBackends,
  type Backend,
  type TestDatabase,
} from './database.js';
export { POOL_SIZE } from './connection-budget.js';
export { freshRedis, type TestRedis } from './redis.js';
export {
  postgresServer,
  redisServer,
  describeSource,
  embeddedOnly,
  localDefaults,
  type ServerSource,
} from './servers.js';
export { testNeeding } from './needs.js';
export { eventually } from './eventually.js';
export { listen, listenLate, type LateServer, type TestServer } from './server.js';
export { captureLogs, type CapturedLogs } from './logs.js';
export { MailCatcher, tokenFromMail, linkFromMail, type CaughtMail } from './mail-catcher.js';
export { sqlOwners } from './table-owners.js';
export { routesOf, type Endpoint } from './routes.js';
export { fuzzEndpoints, type FuzzFailure, type FuzzOptions, type FuzzRequest } from './fuzz.js';
export { safeMethodPaths, tableDigests, walkSafeMethods, type SafeMethodWalk } from './safe-methods.js';
export { gitCli, workTree, type GitRun } from './git-cli.js';
