import { runService } from '@gatehouse/service-kit';
import { readMirrorConfig } from './config.js';
import { createMirrorRuntime } from './runtime.js';

await runService(readMirrorConfig, createMirrorRuntime, ({ deps }, config) => ({
  database: deps.db.kind,
  github: config.GITHUB_API_URL,
}));
