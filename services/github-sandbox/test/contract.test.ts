import { readFileSync } from 'node:fs';
import test from 'ava';
import { Ajv } from 'ajv';
import addFormats from 'ajv-formats';
import { admin, bearer, call, client, startSandbox, tokenFor, type Reply } from './helpers/sandbox.js';
import { schemaFixture, type UsedSchema } from './helpers/contract-names.js';

const fixture = JSON.parse(readFileSync(schemaFixture, 'utf8')) as { version: string; components: unknown };
// GitHub's description uses OpenAPI's discriminator in places Ajv reads differently: leave it off.
const ajv = new Ajv({ strict: false, allErrors: true });
addFormats.default(ajv);
ajv.addSchema({ $id: 'gh', components: fixture.components });

function conforms(t: { true(v: boolean, m?: string): void }, reply: Reply, schema: UsedSchema, many = false): void {
  const validate = ajv.getSchema(`gh#/components/schemas/${schema}`)!;
  const items = many ? (reply.body as unknown[]) : [reply.body];
  for (const item of items) {
    const ok = validate(item) as boolean;
    t.true(ok, `${schema} (@octokit/openapi ${fixture.version}): ${JSON.stringify(validate.errors?.slice(0, 5))}`);
  }
}

test("every kind of answer the stand-in gives validates against GitHub's OpenAPI description", async (t) => {
  const s = await startSandbox(t, { env: { RATE_LIMIT_PER_HOUR: '1000' } });
  const token = await tokenFor(s, 'contract', 'repo user');
  const auth = bearer(token);

  const user = await call(`${s.api}/user`, { headers: auth });
  t.is(user.status, 200);
  conforms(t, user, 'private-user');

  const created = await call(`${s.api}/user/repos`, {
    method: 'POST',
    headers: auth,
    json: { name: 'c', description: 'd', auto_init: true },
  });
  t.is(created.status, 201);
  conforms(t, created, 'full-repository');
  await call(`${s.api}/user/repos`, { method: 'POST', headers: auth, json: { name: 'p', private: true } });

  const exists = await call(`${s.api}/user/repos`, { method: 'POST', headers: auth, json: { name: 'c' } });
  t.is(exists.status, 422);
  conforms(t, exists, 'validation-error');
  const noName = await call(`${s.api}/user/repos`, { method: 'POST', headers: auth, json: {} });
  t.is(noName.status, 422);
  conforms(t, noName, 'validation-error');

  const list = await call(`${s.api}/user/repos`, { headers: auth });
  t.is((list.body as unknown[]).length, 2);
  conforms(t, list, 'repository', true);

  const repo = await call(`${s.api}/repos/contract/c`, { headers: auth });
  conforms(t, repo, 'full-repository');
  const missing = await call(`${s.api}/repos/contract/none`, { headers: auth });
  t.is(missing.status, 404);
  conforms(t, missing, 'basic-error');

  const ref = await call(`${s.api}/repos/contract/c/git/ref/heads/main`, { headers: auth });
  t.is(ref.status, 200);
  conforms(t, ref, 'git-ref');
  const empty = await call(`${s.api}/repos/contract/p/git/ref/heads/main`, { headers: auth });
  t.is(empty.status, 409);
  conforms(t, empty, 'basic-error');

  const limit = await call(`${s.api}/rate_limit`, { headers: auth });
  conforms(t, limit, 'rate-limit-overview');

  const bad = await call(`${s.api}/user`, { headers: bearer('gho_nope') });
  t.is(bad.status, 401);
  conforms(t, bad, 'basic-error');
  const anonymous = await call(`${s.api}/user`);
  t.is(anonymous.status, 401);
  conforms(t, anonymous, 'basic-error');

  const basic = {
    authorization: `Basic ${Buffer.from(`${client.client_id}:${client.client_secret}`).toString('base64')}`,
  };
  const noToken = await call(`${s.api}/applications/${client.client_id}/token`, {
    method: 'DELETE',
    headers: basic,
    json: {},
  });
  t.is(noToken.status, 422);
  conforms(t, noToken, 'validation-error');
  const unknownToken = await call(`${s.api}/applications/${client.client_id}/token`, {
    method: 'DELETE',
    headers: basic,
    json: { access_token: 'gho_x' },
  });
  t.is(unknownToken.status, 404);
  conforms(t, unknownToken, 'basic-error');

  const faults: [Record<string, unknown>, number][] = [
    [{ kind: 'primary_rate_limit' }, 403],
    [{ kind: 'secondary_rate_limit', status: 429, retry_after: 5 }, 429],
    [{ kind: 'secondary_rate_limit' }, 403],
    [{ kind: 'revoked_token' }, 401],
    [{ kind: 'status', status: 500 }, 500],
    [{ kind: 'status', status: 502 }, 502],
  ];
  for (const [fault, status] of faults) {
    await call(`${s.url}/_sandbox/faults`, {
      method: 'POST',
      headers: admin,
      json: { ...fault, path: '/api/v3/user' },
    });
    const failed = await call(`${s.api}/user`, { headers: auth });
    t.is(failed.status, status);
    conforms(t, failed, 'basic-error');
  }

  const listInvalid = await call(`${s.api}/user/repos?visibility=nope`, { headers: auth });
  t.is(listInvalid.status, 422);
  conforms(t, listInvalid, 'validation-error');
});
