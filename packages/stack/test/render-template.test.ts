import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import test from 'ava';
import { testNeeding } from '@gatehouse/testkit';
import { buildRouteTable, renderTemplate, repoRoot, services, templateVariables } from '../src/index.js';

test('renders $NAME and ${NAME} of the given variables only; nginx variables stay', (t) => {
  const text = 'server ${AUTH_UPSTREAM}; listen $GATEHOUSE_LISTEN; proxy_set_header Host $http_host; x ${UNSET} $UNSET';
  t.is(
    renderTemplate(text, { AUTH_UPSTREAM: 'auth:3001', GATEHOUSE_LISTEN: '8080', http_host: 'never' }).replace(
      'never',
      'BUG',
    ),
    'server auth:3001; listen 8080; proxy_set_header Host BUG; x ${UNSET} $UNSET',
  );
  t.is(renderTemplate('a ${EMPTY} b', { EMPTY: '' }), 'a  b');
});

test('a list variable repeats its line once per item (one server line per local replica)', (t) => {
  const text = 'upstream auth {\n    server ${AUTH_UPSTREAM} max_fails=1;\n    keepalive $KEEP;\n}';
  t.is(
    renderTemplate(text, { AUTH_UPSTREAM: ['127.0.0.1:4001', '127.0.0.1:4101'], KEEP: '32' }),
    'upstream auth {\n    server 127.0.0.1:4001 max_fails=1;\n    server 127.0.0.1:4101 max_fails=1;\n    keepalive 32;\n}',
  );
  t.throws(() => renderTemplate('${A} ${B}', { A: ['1'], B: ['2'] }), { message: /two list variables/ });
});

const template = readFileSync(`${repoRoot}/nginx/templates/gatehouse.conf.template`, 'utf8');
const variables: Record<string, string> = {
  GATEHOUSE_LISTEN: '8080',
  GATEHOUSE_ACCESS_LOG: '/dev/stdout',
  ...Object.fromEntries(buildRouteTable(services).upstreams.map((u) => [u.variable, `${u.service}:${u.port}`])),
};

test('the template uses exactly the variables compose and the local run define', (t) => {
  t.deepEqual(templateVariables(template), Object.keys(variables).sort());
});

const envsubst =
  spawnSync('envsubst', ['--version']).status === 0 ? undefined : 'envsubst (gettext-base) is not installed';

testNeeding(envsubst)('the Node rendering equals what the nginx image does (envsubst "$defined_envs")', (t) => {
  const defined = Object.keys(variables)
    .map((k) => `\${${k}}`)
    .join(' ');
  const result = spawnSync('envsubst', [defined], {
    input: template,
    env: { PATH: process.env.PATH, ...variables },
    encoding: 'utf8',
  });
  t.is(result.status, 0);
  t.is(renderTemplate(template, variables), result.stdout);
});
