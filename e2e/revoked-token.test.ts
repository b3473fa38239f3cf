// Journey (b): a revoked access token is refused on every bearer route of
// every service (from the service list), through the front door.
import test from 'ava';
import { buildRouteTable, services } from '@gatehouse/stack';
import { api } from './support/index.js';
import { confirmedUser, login } from './support/accounts.js';

const table = buildRouteTable(services);

/** Where a service's route is published (its first prefix route that strips, or the path itself). */
function publicPath(service: string, path: string): string {
  const route = table.routes.find((r) => r.service === service && (r.stripPrefix || path.startsWith(r.prefix)));
  if (!route) throw new Error(`${service} has no public route for ${path}`);
  return route.stripPrefix ? `${route.prefix}${path.slice(1)}` : path;
}

const bearerRoutes = services.flatMap((s) =>
  (s.bearerRoutes ?? []).map((r) => ({ ...r, service: s.name, url: publicPath(s.name, r.path) })),
);

test('the service list names bearer routes to sweep', (t) => {
  t.true(bearerRoutes.length >= 3, bearerRoutes.map((r) => r.url).join(', '));
});

test('after logout the token is refused with 401 invalid_token on every bearer route; another session is untouched', async (t) => {
  const user = await confirmedUser(t, 'revoke');
  const revoked = await login(t, user);
  const other = await login(t, user);

  for (const route of bearerRoutes) {
    // Positive control for safe routes: the token works before it is revoked.
    if (route.method === 'GET')
      t.is((await api(route.url, { token: revoked.access_token })).status, 200, `${route.url} before logout`);
  }
  t.is((await api('/api/auth/v1/logout', { token: revoked.access_token, json: { scope: 'local' } })).status, 204);

  // The promise is "within 1 s": with replicas, a verifier may hear of the logout from another auth replica
  // at its next heartbeat (1 s) rather than at once. Each route is asked until it refuses, for at most 1 s.
  const loggedOut = performance.now();
  for (const route of bearerRoutes) {
    const ask = () =>
      api(route.url, {
        method: route.method,
        token: revoked.access_token,
        ...(route.body ? { json: route.body } : {}),
      });
    let response = await ask();
    while (response.status !== 401 && performance.now() - loggedOut < 1000) {
      await new Promise((r) => setTimeout(r, 50));
      response = await ask();
    }
    t.is(response.status, 401, `${route.method} ${route.url}: ${JSON.stringify(response.body)}`);
    t.is((response.body as { code?: string }).code, 'invalid_token', `${route.method} ${route.url}`);
  }
  t.log(`every bearer route refused the token ${Math.round(performance.now() - loggedOut)} ms after logout`);
  const stillIn = await api('/api/auth/v1/me', { token: other.access_token });
  t.is(stillIn.status, 200, 'a local logout ends one session only');
});

test('a tampered token is refused on every bearer route', async (t) => {
  const user = await confirmedUser(t, 'tamper');
  const { access_token } = await login(t, user);
  const [header, payload, signature] = access_token.split('.');
  const flipped = `${header}.${payload}.${signature!.slice(0, -2)}${signature!.endsWith('AA') ? 'BB' : 'AA'}`;
  for (const route of bearerRoutes) {
    const response = await api(route.url, {
      method: route.method,
      token: flipped,
      ...(route.body ? { json: route.body } : {}),
    });
    t.is(response.status, 401, `${route.method} ${route.url}`);
  }
});
