// The edges' answer when a service does not answer (its own fakes, which it stops).
import test from 'ava';
import { testNeeding } from '@gatehouse/testkit';
import { edgeError, errorHtml, errorJson, services } from '../src/index.js';
import { nginxBin, startEdges, type Edges } from './fixtures/edges.js';

let edges: Edges;
test.before(async () => {
  edges = await startEdges(services);
  await edges.stopService('auth');
  await edges.stopService('web');
});
test.after.always(async () => {
  await edges?.close();
});

for (const kind of ['gateway', 'nginx'] as const) {
  testNeeding(kind === 'nginx' && !nginxBin ? 'nginx is not installed' : undefined)(
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
}
