import test from 'ava';
import { ConfigError, describeConfig, loadConfig } from '@gatehouse/service-kit';
import { webConfigSchema } from '../src/index.js';

test('web config without SESSION_SECRET → ConfigError naming the key and its _FILE form', (t) => {
  const error = t.throws(() => loadConfig(webConfigSchema, {}), { instanceOf: ConfigError });
  t.true(error.problems.some((p) => p === 'SESSION_SECRET: required; set SESSION_SECRET or SESSION_SECRET_FILE'));
});

test('web config with a short SESSION_SECRET → refused with "at least 32 characters"', (t) => {
  const error = t.throws(() => loadConfig(webConfigSchema, { SESSION_SECRET: 'short' }), { instanceOf: ConfigError });
  t.regex(error.problems.join('\n'), /SESSION_SECRET: must be at least 32 characters/);
});

test('web config defaults → port 3000, auth at 127.0.0.1:3001, 2 h idle, 12 h absolute, Postgres/PGlite sessions', (t) => {
  const config = loadConfig(webConfigSchema, { SESSION_SECRET: 's'.repeat(32), SERVICE_SECRET: 'v'.repeat(32) });
  t.like(config, {
    PORT: 3000,
    AUTH_URL: 'http://127.0.0.1:3001',
    PUBLIC_URL: 'http://localhost:8080',
    SESSION_IDLE_TIMEOUT_SECONDS: 7200,
    SESSION_ABSOLUTE_TIMEOUT_SECONDS: 43200,
    DATA_DIR: '.data/web',
    ASSETS_MODE: 'auto',
  });
  t.is(config.REDIS_URL, undefined);
});

test('every web config key is documented; SESSION_SECRET and SERVICE_SECRET (the revocation feed) are required', (t) => {
  const rows = describeConfig(webConfigSchema);
  for (const row of rows) t.true(row.description.length > 10, `${row.key} lacks a description`);
  t.deepEqual(
    rows.filter((r) => r.required).map((r) => r.key),
    ['SERVICE_SECRET', 'SESSION_SECRET'],
  );
});
