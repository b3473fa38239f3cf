import { runService } from '@gatehouse/service-kit';
import { readSandboxConfig } from './config.js';
import { createSandboxRuntime } from './runtime.js';

await runService(readSandboxConfig, createSandboxRuntime, ({ deps: { settings, apps } }) => ({
  public_url: settings.publicUrl,
  api_url: settings.apiUrl,
  oauth_apps: apps.all().map((a) => a.client_id),
  admin_api: Boolean(settings.adminToken),
}));
