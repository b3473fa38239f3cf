export { freshDatabase, availableBackends, postgresServer, type Backend, type TestDatabase } from './database.js';
export { freshRedis, redisServer, type TestRedis, type RedisSource } from './redis.js';
export { testNeeding } from './needs.js';
export { listen, listenLate, type LateServer, type TestServer } from './server.js';
export { captureLogs, type CapturedLogs } from './logs.js';
export { MailCatcher, tokenFromMail, linkFromMail, type CaughtMail } from './mail-catcher.js';
