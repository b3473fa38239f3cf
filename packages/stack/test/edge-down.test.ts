// The edges' answer when a service does not answer (its own fakes, which it stops), and a stand-in's
// door when the stand-in is not there at all (the production profile has none).
import test from 'ava';
import { testNeeding } from '@gatehouse/testkit';
import { edgeError, errorHtml, errorJson, services } from '../src/index.js';
import { nginxBin, startEdges, type Edges } from './fixtures/edges.js';

let edges: Edges;
let noStandIn: Edges;
test.before(async () => {
  edges = await startEdges(services);
  await edges.stopService('auth');
  await edges.stopService('web');
  // As in compose's production profile: a name nothing resolves. nginx must start all the same.
  noStandIn = await startEdges(services, { upstreams: { 'github-sandbox': 'github-sandbox.invalid:3003' } });
});
test.after.always(async () => {
  await edges?.close();
  await noStandIn?.close();
});

for (const kind of ['gateway', 'nginx'] as const) {
  const needs = kind === 'nginx' && !nginxBin ? 'nginx is not installed' : undefined;
  testNeeding(needs)(
    `${kind}: a service that does not answer → 502 from the edge, problem+json under /api/, a page elsewhere`,
    async (t) => {
      const api = await fetch(`${edges.urls[kind]}/api/auth/v1/me`);
      t.is(api.status, 502);
      const id = api.headers.get('x-request-id')!;
      t.is(await api.text(), errorJson(edgeError(502), id));
      t.is(api.headers.get('x-content-type-options'), 'nosniff');
      const page = await fetch(`${edges.urls[kind]}/login`);
      t.is(page.status, 502);
      t.is((await page.text()).trimEnd(), errorHtml(edgeError(502), page.headers.get('x-request-id')!).trimEnd());
    },
  );

  testNeeding(needs)(
    `${kind}: no stand-in behind its door → the edge runs, the door answers a plain 502, not Gatehouse's page`,
    async (t) => {
      t.is((await fetch(`${noStandIn.urls[kind]}/healthz`)).status, 200);
      const door = await fetch(`${noStandIn.standIns[kind]!['github-sandbox']}/api/v3/rate_limit`);
      t.is(door.status, 502);
      t.is(door.headers.get('x-request-id'), null);
      t.notRegex(await door.text(), /Gatehouse/);
    },
  );
}
