import test from 'ava';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { z } from 'zod';
import { ConfigError, configFields, describeConfig, loadConfig } from '../src/index.js';

const schema = z.object({
  PORT: configFields.port(3001).describe('Port to listen on.'),
  SIGNING_SECRET: z.string().min(16).describe('Secret used to sign things.'),
  VERBOSE: configFields.bool(false).describe('Log more.'),
});

test('valid env → typed config with defaults applied', (t) => {
  const config = loadConfig(schema, { SIGNING_SECRET: 'x'.repeat(16) });
  t.deepEqual(config, { PORT: 3001, SIGNING_SECRET: 'x'.repeat(16), VERBOSE: false });
});

test('missing secret → ConfigError naming the key and its _FILE variant', (t) => {
  const error = t.throws(() => loadConfig(schema, {}), { instanceOf: ConfigError });
  t.deepEqual(error?.problems, ['SIGNING_SECRET: required; set SIGNING_SECRET or SIGNING_SECRET_FILE']);
});

test('secret from KEY_FILE → read from the file, trailing newline dropped', (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'config-'));
  writeFileSync(join(dir, 'secret'), `${'s'.repeat(20)}\n`);
  const config = loadConfig(schema, { SIGNING_SECRET_FILE: join(dir, 'secret') });
  t.is(config.SIGNING_SECRET, 's'.repeat(20));
});

test('both KEY and KEY_FILE → refused as ambiguous', (t) => {
  const error = t.throws(() => loadConfig(schema, { SIGNING_SECRET: 'x'.repeat(16), SIGNING_SECRET_FILE: '/nope' }), {
    instanceOf: ConfigError,
  });
  t.regex(error?.message ?? '', /SIGNING_SECRET: set SIGNING_SECRET or SIGNING_SECRET_FILE, not both/);
});

test('bad value → ConfigError naming the key', (t) => {
  const error = t.throws(() => loadConfig(schema, { SIGNING_SECRET: 'x'.repeat(16), PORT: 'eighty' }), {
    instanceOf: ConfigError,
  });
  t.regex(error?.message ?? '', /PORT: /);
});

test('describeConfig → every key with default, description and whether it is required', (t) => {
  t.deepEqual(describeConfig(schema), [
    { key: 'PORT', default: '3001', description: 'Port to listen on.', required: false },
    { key: 'SIGNING_SECRET', default: undefined, description: 'Secret used to sign things.', required: true },
    { key: 'VERBOSE', default: 'false', description: 'Log more.', required: false },
  ]);
});
