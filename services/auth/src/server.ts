import { runService } from '@gatehouse/service-kit';
import { readAuthConfig } from './config.js';
import { createAuthRuntime } from './runtime.js';

await runService(readAuthConfig, createAuthRuntime, ({ deps }, config) => ({
  database: deps.db.kind,
  redis: Boolean(config.REDIS_URL),
}));
