import { createPrivateKey } from 'node:crypto';
import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import test from 'ava';
import { ensureSecrets } from '../src/index.js';

test('secrets are created once, 0600 in a 0700 directory, and kept on the next run', async (t) => {
  const dir = join(await mkdtemp(join(tmpdir(), 'gatehouse-secrets-')), 'secrets');
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  const first = await ensureSecrets({ dir, names: ['PASSWORD_PEPPER', 'JWT_PRIVATE_KEY'] });
  t.deepEqual(first.created.sort(), ['JWT_PRIVATE_KEY', 'PASSWORD_PEPPER']);
  t.is((await stat(dir)).mode & 0o777, 0o700);
  const pepper = await readFile(first.files.PASSWORD_PEPPER!, 'utf8');
  t.is((await stat(first.files.PASSWORD_PEPPER!)).mode & 0o777, 0o600);
  t.true(pepper.length >= 32);
  t.is(
    createPrivateKey(await readFile(first.files.JWT_PRIVATE_KEY!, 'utf8')).asymmetricKeyDetails?.namedCurve,
    'prime256v1',
  );
  const second = await ensureSecrets({ dir, names: ['PASSWORD_PEPPER', 'JWT_PRIVATE_KEY'] });
  t.deepEqual(second.created, []);
  t.is(await readFile(second.files.PASSWORD_PEPPER!, 'utf8'), pepper, 'a pepper is never replaced');
});

test('compose secrets: database URLs follow the Postgres password', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'gatehouse-secrets-'));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  const { files } = await ensureSecrets({ dir, names: [], databaseServices: ['auth'], fileMode: 0o644 });
  const password = await readFile(files.POSTGRES_PASSWORD!, 'utf8');
  t.is(
    await readFile(files.DATABASE_URL_AUTH!, 'utf8'),
    `postgres://gatehouse:${encodeURIComponent(password)}@postgres:5432/auth`,
  );
  t.is((await stat(files.DATABASE_URL_AUTH!)).mode & 0o777, 0o644);
  await writeFile(files.POSTGRES_PASSWORD!, 'changed');
  await ensureSecrets({ dir, names: [], databaseServices: ['auth'], fileMode: 0o644 });
  t.is(await readFile(files.DATABASE_URL_AUTH!, 'utf8'), 'postgres://gatehouse:changed@postgres:5432/auth');
});
