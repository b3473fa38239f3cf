import test from 'ava';
import { cp, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { request } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createLogger, createService, describeConfig } from '@gatehouse/service-kit';
import { loadServiceSchema } from '../src/config-table.js';
import { kubernetesServices } from '../src/kubernetes.js';
import { templateVariables } from '../src/nginx/render-template.js';
import { repoRoot } from '../src/paths.js';
import { edgeHealthPath, operationalPaths } from '../src/route-table.js';
import { services } from '../src/services.js';
import { crossCheck, type Facts } from './kubernetes/checks.js';
import { renderKustomization, schemaProblems } from './kubernetes/render.js';

const manifests = join(repoRoot, 'deploy/kubernetes');
const overlays = ['small', 'large'];

/** The status the service frame (createService, which every service's app is built on) gives a path. */
async function frameStatus(path: string): Promise<number> {
  const app = createService({ name: 'probe-check', logger: createLogger({ service: 'probe-check', level: 'silent' }) });
  const server = app.listen(0, '127.0.0.1');
  await new Promise((resolve) => server.once('listening', resolve));
  try {
    return await new Promise<number>((resolve, reject) => {
      const req = request({ port: (server.address() as AddressInfo).port, path }, (res) => {
        res.resume();
        resolve(res.statusCode ?? 0);
      });
      req.on('error', reject);
      req.end();
    });
  } finally {
    server.close();
  }
}

async function facts(): Promise<Facts> {
  const schemas: Facts['schemas'] = {};
  const builtOnFrame = new Set<string>();
  for (const entry of kubernetesServices(services)) {
    const rows = describeConfig(await loadServiceSchema(entry));
    schemas[entry.name] = { keys: rows.map((r) => r.key), required: rows.filter((r) => r.required).map((r) => r.key) };
    if ((await readFile(join(repoRoot, entry.dir, 'src/app.ts'), 'utf8')).includes('createService('))
      builtOnFrame.add(entry.name);
  }
  const answered = new Set<string>();
  for (const path of operationalPaths) if ((await frameStatus(path)) === 200) answered.add(path);
  const template = await readFile(join(repoRoot, 'nginx/templates/gatehouse.conf.template'), 'utf8');
  return {
    services,
    schemas,
    serves: (service, path) => builtOnFrame.has(service) && answered.has(path),
    nginx: { variables: templateVariables(template), healthPath: edgeHealthPath },
    readme: await readFile(join(repoRoot, 'README.md'), 'utf8'),
  };
}

const known = facts();

for (const overlay of overlays) {
  test(`overlay ${overlay} → renders, validates against the Kubernetes schemas and agrees with the repository`, async (t) => {
    const objects = await renderKustomization(join(manifests, 'overlays', overlay));
    t.true(objects.filter((o) => o.kind === 'Deployment').length >= 4);
    t.deepEqual(schemaProblems(objects), []);
    t.deepEqual(crossCheck(objects, await known), []);
  });
}

/** The small overlay rendered from a copy of the manifests with one text replaced. */
async function problemsAfter(file: string, from: string, to: string): Promise<string[]> {
  const dir = await mkdtemp(join(tmpdir(), 'gatehouse-k8s-'));
  try {
    await cp(manifests, dir, { recursive: true });
    const path = join(dir, file);
    const text = await readFile(path, 'utf8');
    if (!text.includes(from)) throw new Error(`${file} does not contain ${JSON.stringify(from)}`);
    await writeFile(path, text.replace(from, to));
    const objects = await renderKustomization(join(dir, 'overlays/small'));
    return [...schemaProblems(objects), ...crossCheck(objects, await known)];
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

const mutations: [title: string, file: string, from: string, to: string, expected: RegExp][] = [
  [
    'a readiness probe on a path auth does not answer',
    'base/auth.yaml',
    'path: /readyz',
    'path: /ready',
    /auth container auth: readiness probe path \/ready is not one the service answers/,
  ],
  [
    'an env var that is no key of web’s config schema',
    'base/web.yaml',
    'name: SESSION_SECRET_FILE',
    'name: SESION_SECRET_FILE',
    /web container web: SESION_SECRET_FILE is not a key of its config schema/,
  ],
  [
    'a secret set as a value instead of a file',
    'base/web.yaml',
    '- name: SESSION_SECRET_FILE\n              value: /run/secrets/session_secret',
    '- name: SESSION_SECRET\n              value: not-a-file-but-the-secret-itself-0123456789',
    /web container web: secret SESSION_SECRET set as a value/,
  ],
  [
    'a Service whose selector matches no Deployment',
    'base/mirror.yaml',
    'spec:\n  selector:\n    app.kubernetes.io/name: mirror',
    'spec:\n  selector:\n    app.kubernetes.io/name: mirrors',
    /Service\/mirror: selects no Deployment/,
  ],
  [
    'a Secret missing from the documented list',
    'base/auth.yaml',
    'name: gatehouse-smtp-url',
    'name: gatehouse-mail-url',
    /Secret gatehouse-mail-url is not documented/,
  ],
  [
    'a memory limit that is no quantity',
    'base/auth.yaml',
    'memory: 448Mi',
    'memory: lots',
    /Deployment\/auth: .*memory must match format "quantity"/,
  ],
  [
    'the mirror allowed out to Redis',
    'base/network-policies.yaml',
    '- port: 443',
    '- port: 6379',
    /NetworkPolicy: mirror may reach Redis/,
  ],
  [
    'a writable root filesystem',
    'base/nginx.yaml',
    'readOnlyRootFilesystem: true',
    'readOnlyRootFilesystem: false',
    /nginx container nginx: root filesystem not read-only/,
  ],
];

for (const [title, file, from, to, expected] of mutations) {
  test(`manifests with ${title} → the checks fail`, async (t) => {
    const problems = await problemsAfter(file, from, to);
    t.true(
      problems.some((p) => expected.test(p)),
      problems.join('\n'),
    );
  });
}
