import test from 'ava';
import { buildRouteTable, generateNginx, normalizePath, resolve, services, type ServiceEntry } from '../src/index.js';

const table = buildRouteTable(services);

test('routes are ordered longest prefix first, so /assets/ and /api/auth/ win over /', (t) => {
  const ours = table.routes.map((r) => `${r.service} ${r.prefix}`).filter((r) => /^(auth|web) /.test(r));
  t.deepEqual(ours, ['auth /api/auth/', 'web /assets/', 'web /mirror/', 'web /']);
  t.is(table.routes.at(-1)!.prefix, '/', 'the catch-all comes last');
});

test("web's /mirror/events and the mirror API may upgrade to a WebSocket; /mirror and web's other pages do not", (t) => {
  const upgrades = (path: string) => {
    const r = resolve(table, path, 'GET');
    return r.kind === 'proxy' && r.route.websocket ? r.route.service : false;
  };
  t.is(upgrades('/mirror/events'), 'web');
  t.is(upgrades('/api/mirror/v1/mirrors/x/events'), 'mirror');
  t.false(upgrades('/mirror'));
  t.false(upgrades('/account'));
});

test("nginx sends /mirror (the /mirror/ route's bare path) to web's page, not a 301 to /mirror/", (t) => {
  const server = generateNginx(table)['includes/gatehouse-server.conf']!;
  t.regex(server, /location = \/mirror \{\n {4}proxy_pass http:\/\/web;\n {4}include includes\/proxy-http\.conf;/);
  t.is((resolve(table, '/mirror', 'GET') as { route: { prefix: string } }).route.prefix, '/');
});

test('internal endpoints are blocked through every route that reaches them', (t) => {
  const blocked = table.blocked.map((b) => `${b.prefix}${b.rest}`);
  for (const path of [
    '/api/auth/v1/introspect',
    '/api/auth/metrics',
    '/api/auth/readyz',
    '/api/auth/healthz',
    '/metrics',
    '/readyz',
  ]) {
    t.true(blocked.includes(path), path);
  }
  t.false(blocked.includes('/healthz'), "the edge's own /healthz is not shadowed");
});

test('introspect is blocked however it is spelled', (t) => {
  for (const raw of [
    '/api/auth/v1/introspect',
    '/api/auth/v1/Introspect',
    '/api/auth/v1/introspect/',
    '/api/auth/v1/introspect/x',
    '/api/auth//v1/introspect',
    '/api/auth/v1/./introspect',
    '/api/auth/v1/%69ntrospect',
    '/api/auth/v1/x/../introspect',
  ]) {
    const path = normalizePath(raw);
    t.truthy(path, raw);
    t.deepEqual(resolve(table, path!, 'POST'), { kind: 'blocked' }, raw);
  }
  t.is(resolve(table, '/api/auth/v1/introspection', 'POST').kind, 'proxy', 'a longer name is another path');
});

test('POSTs to budgeted paths carry their zone; other methods and paths none', (t) => {
  const token = resolve(table, '/api/auth/v1/token', 'POST');
  t.like(token, { kind: 'proxy', zone: 'login', upstreamPath: '/v1/token' });
  t.like(resolve(table, '/api/auth/v1/Token/', 'POST'), { kind: 'proxy', zone: 'login' });
  t.like(resolve(table, '/api/auth/v1/token', 'GET'), { kind: 'proxy', zone: undefined });
  t.like(resolve(table, '/login', 'POST'), { kind: 'proxy', zone: 'login', upstreamPath: '/login' });
  t.like(resolve(table, '/forgot-password', 'POST'), { zone: 'forgot' });
  t.like(resolve(table, '/confirm-email/resend', 'POST'), { zone: 'resend' });
  t.like(resolve(table, '/signup', 'POST'), { zone: 'signup' });
  t.like(resolve(table, '/account', 'POST'), { kind: 'proxy', zone: undefined });
});

test("an unknown /api/ path has no route (a JSON 404), /healthz is the edge's own", (t) => {
  t.is(resolve(table, '/api/nothing/x', 'GET').kind, 'no-route');
  t.is(resolve(table, '/api/', 'GET').kind, 'no-route');
  t.is(resolve(table, '/healthz', 'GET').kind, 'health');
  t.like(resolve(table, '/api', 'GET'), { kind: 'proxy', upstreamPath: '/api' });
});

test('normalizePath: decodes, merges slashes, resolves dots; refuses what nginx refuses', (t) => {
  t.is(normalizePath('/a//b/./c/'), '/a/b/c/');
  t.is(normalizePath('/a/b/../c'), '/a/c');
  t.is(normalizePath('/a/%2e%2e/c'), '/c');
  t.is(normalizePath('/%7Euser'), '/~user');
  t.is(normalizePath('/a/..'), '/');
  t.is(normalizePath('/../etc/passwd'), undefined);
  t.is(normalizePath('/%zz'), undefined);
  t.is(normalizePath('/a%00b'), undefined);
  t.is(normalizePath('relative'), undefined);
});

// A throwaway entry, not one of the list's: proves the derivation, whatever the list holds.
const pushes: ServiceEntry = {
  name: 'pushes',
  package: '@gatehouse/pushes',
  dir: 'services/pushes',
  configExport: 'pushesConfigSchema',
  port: 3099,
  routes: [{ prefix: '/api/pushes/', stripPrefix: true, websocket: true }],
};

test('one more entry is all a WebSocket service needs: its location passes upgrades', (t) => {
  const withPushes = buildRouteTable([...services, pushes]);
  t.like(resolve(withPushes, '/api/pushes/v1/push', 'GET'), {
    kind: 'proxy',
    upstreamPath: '/v1/push',
    route: { service: 'pushes', websocket: true },
  });
  t.deepEqual(resolve(withPushes, '/api/pushes/metrics', 'GET'), { kind: 'blocked' });
  const files = generateNginx(withPushes);
  t.regex(
    files['templates/gatehouse.conf.template']!,
    /upstream pushes \{\n {4}server \$\{PUSHES_UPSTREAM\} max_fails=1 fail_timeout=5s;/,
  );
  t.regex(
    files['includes/gatehouse-server.conf']!,
    /location \/api\/pushes\/ \{\n {4}proxy_pass http:\/\/pushes\/;\n {4}include includes\/proxy-websocket\.conf;/,
  );
});

// A test-only stand-in: one more entry with `standIn` must be all another outside host needs.
const gitlab: ServiceEntry = {
  name: 'gitlab-sandbox',
  package: '@gatehouse/gitlab-sandbox',
  dir: 'services/gitlab-sandbox',
  configExport: 'gitlabConfigSchema',
  port: 3004,
  routes: [],
  standIn: { hostAlias: 'gitlab.localhost', realHostVariables: ['GITLAB_URL'] },
};

test("a stand-in entry → its own server on its port, with none of Gatehouse's policies, outside the image's templates", (t) => {
  const withGitlab = buildRouteTable([...services, gitlab]);
  t.deepEqual(
    withGitlab.standIns.map((d) => [d.service, d.hostAlias, d.port, d.listenVariable, d.upstreamVariable]),
    [
      ['github-sandbox', 'github.localhost', 3003, 'GATEHOUSE_GITHUB_SANDBOX_LISTEN', 'GITHUB_SANDBOX_UPSTREAM'],
      ['gitlab-sandbox', 'gitlab.localhost', 3004, 'GATEHOUSE_GITLAB_SANDBOX_LISTEN', 'GITLAB_SANDBOX_UPSTREAM'],
    ],
  );
  t.false(
    withGitlab.upstreams.some((u) => u.service.endsWith('-sandbox')),
    'no upstream block resolved at start',
  );
  t.false(
    withGitlab.routes.some((r) => r.service.endsWith('-sandbox')),
    'no route through the front door',
  );
  const files = generateNginx(withGitlab);
  // The Dockerfile copies templates/ into the image, which Kubernetes runs without stand-ins.
  t.deepEqual(
    Object.keys(files).filter((path) => path.includes('sandbox')),
    ['stand-ins/github-sandbox.conf.template', 'stand-ins/gitlab-sandbox.conf.template'],
  );
  t.notRegex(files['templates/gatehouse.conf.template']!, /SANDBOX/);
  const server = files['stand-ins/gitlab-sandbox.conf.template']!;
  for (const line of [
    'listen ${GATEHOUSE_GITLAB_SANDBOX_LISTEN};',
    'client_max_body_size 0;',
    'resolver ${NGINX_LOCAL_RESOLVERS} valid=10s;',
    'set $gatehouse_gitlab_sandbox ${GITLAB_SANDBOX_UPSTREAM};',
    'proxy_pass http://$gatehouse_gitlab_sandbox;',
    'proxy_set_header Host $http_host;',
    'proxy_set_header X-Forwarded-For $remote_addr;',
    'proxy_request_buffering off;',
    'proxy_buffering off;',
    'proxy_read_timeout 3600s;',
    'proxy_send_timeout 3600s;',
  ]) {
    t.true(server.includes(`    ${line}`), line);
  }
  t.notRegex(
    server,
    /limit_req|include |error_page|add_header/,
    "no rate limit, error page or edge header of Gatehouse's",
  );
});

test('a broken service list is refused with a reason', (t) => {
  const base = services[0]!;
  t.throws(() => buildRouteTable([base, base]), { message: /listed twice/ });
  t.throws(() => buildRouteTable([{ ...base, routes: [{ prefix: '/api/auth' }] }]), {
    message: /must start and end with "\/"/,
  });
  t.throws(() => buildRouteTable([base, { ...pushes, routes: [{ prefix: '/api/auth/' }] }]), {
    message: /claimed twice/,
  });
  t.throws(() => buildRouteTable([{ ...base, rateLimited: [{ path: 'v1/token', zone: 'login' }] }]), {
    message: /must start with/,
  });
  t.throws(() => buildRouteTable([{ ...base, name: 'Auth' }]), { message: /lower-case/ });
});
