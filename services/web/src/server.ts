import { runService } from '@gatehouse/service-kit';
import { readWebConfig } from './config.js';
import { createWebRuntime } from './runtime.js';

await runService(readWebConfig, createWebRuntime, ({ deps }, config) => ({
  public_url: config.PUBLIC_URL,
  sessions: deps.store.kind,
}));
