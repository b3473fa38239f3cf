import { Document, isMap, isPair, isScalar, isSeq, visit } from 'yaml';
import { standInTemplatePath } from '../nginx/stand-in-server.js';
import { accessLogVariable, listenVariable, resolverVariable } from '../nginx/template-variables.js';
import { buildRouteTable, edgeHealthPath } from '../route-table.js';
import { databaseUrlSecret, secretFileName } from '../secrets.js';
import type { ServiceEntry } from '../service-entry.js';

/**
 * docker-compose.yml, derived from the service list. Only features both
 * Compose v2 and docker-compose 1.29.2 understand: no top-level `name`, no
 * `depends_on.required`, no environment-sourced secrets; long-form
 * depends_on with service_healthy; profiles; file secrets.
 */

/** Base images, overridable by variables (the offline stand-ins come in through docker-compose.offline.yml). */
export const baseImages = {
  NODE_IMAGE: 'node:24-bookworm-slim',
  NGINX_IMAGE: 'nginx:1.27',
  POSTGRES_IMAGE: 'postgres:17',
  REDIS_IMAGE: 'redis:7',
} as const;

/** Stand-ins built by scripts/docker/build-base-images.sh, for machines without a registry. */
export const offlineImages: Record<keyof typeof baseImages, string> = {
  NODE_IMAGE: 'gatehouse-local/node:24',
  NGINX_IMAGE: 'gatehouse-local/nginx:1.27',
  POSTGRES_IMAGE: 'gatehouse-local/postgres:17',
  REDIS_IMAGE: 'gatehouse-local/redis:7',
};

/** Where compose's secret files live (written by `npm run secrets`). */
export const composeSecretsDir = '.data/compose-secrets';
const secretsDir = `\${GATEHOUSE_SECRETS_DIR:-./${composeSecretsDir}}`;

const composeDataDir = (service: string) => `/var/lib/gatehouse/${service}`;

const image = (name: keyof typeof baseImages) => `\${${name}:-${baseImages[name]}}`;

/**
 * Every build gets both base images: docker-compose 1.29.2 builds with the
 * legacy builder, which builds every stage before the target, used or not.
 */
const buildArgs = (extra: Record<string, string> = {}) => ({
  NODE_IMAGE: image('NODE_IMAGE'),
  NGINX_IMAGE: image('NGINX_IMAGE'),
  ...extra,
});
const healthy = { condition: 'service_healthy' };
const timing = { interval: '10s', timeout: '5s', retries: 5 };

/** Probes a URL with the image's own Node (the official slim image has no curl). */
function nodeProbe(url: string) {
  return ['CMD', 'node', '-e', `fetch('${url}').then((r)=>process.exit(r.ok?0:1),()=>process.exit(1))`];
}

export type ComposeDocument = {
  services: Record<string, Record<string, unknown>>;
  volumes: Record<string, Record<string, unknown>>;
  secrets: Record<string, { file: string }>;
};

/**
 * nginx (and web, calling auth and the mirror) reach a service from compose's network, whose subnet
 * Docker picks from the private ranges; a deployment narrows it to its own subnet.
 */
export const composeTrustedProxies = '10.0.0.0/8,172.16.0.0/12,192.168.0.0/16,fc00::/7';

export function generateCompose(services: readonly ServiceEntry[]): ComposeDocument {
  const databases = services.filter((s) => s.database).map((s) => s.name);
  const out: ComposeDocument = { services: {}, volumes: {}, secrets: {} };

  const addSecret = (name: string) => {
    out.secrets[secretFileName(name)] = { file: `${secretsDir}/${secretFileName(name)}` };
    return secretFileName(name);
  };

  out.services.nginx = nginxService(services);

  const realHostVariables = new Set(services.flatMap((s) => s.standIn?.realHostVariables ?? []));
  const addresses = {
    url: (name: string) => `http://${name}:${portOf(services, name)}`,
    publicUrl: '${PUBLIC_URL:-http://localhost:8080}',
    hostUrl: (name: string) => standInUrl(services, name),
  };
  for (const entry of services) {
    const secrets = [...(entry.secrets ?? []).map(addSecret)];
    const environment: Record<string, string> = {
      LOG_LEVEL: '${LOG_LEVEL:-info}',
      PUBLIC_URL: addresses.publicUrl,
      DATA_DIR: composeDataDir(entry.name),
      TRUSTED_PROXIES: `\${TRUSTED_PROXIES:-${composeTrustedProxies}}`,
    };
    for (const name of entry.secrets ?? []) environment[`${name}_FILE`] = `/run/secrets/${secretFileName(name)}`;
    const dependsOn: Record<string, unknown> = {};
    if (entry.database) {
      const secret = addSecret(databaseUrlSecret(entry.name));
      secrets.push(secret);
      environment.DATABASE_URL_FILE = `/run/secrets/${secret}`;
      dependsOn.postgres = healthy;
    }
    if (entry.redis) {
      environment.REDIS_URL = 'redis://redis:6379';
      dependsOn.redis = healthy;
    }
    // The mail catcher answers in the dev and test profiles; a deployment sets SMTP_URL.
    if (entry.smtp) environment.SMTP_URL = '${SMTP_URL:-smtp://mail:1025}';
    for (const [key, value] of Object.entries(entry.links?.(addresses) ?? {})) {
      // A deployment points the services at the real host (GITHUB_OAUTH_URL=https://github.com, say); the stand-in
      // keeps its own registration.
      environment[key] = !entry.standIn && realHostVariables.has(key) ? `\${${key}:-${value}}` : value;
    }
    for (const other of entry.dependsOn ?? []) dependsOn[other] = healthy;
    out.volumes[`${entry.name}_data`] = {};
    out.services[entry.name] = {
      build: {
        context: '.',
        target: 'service',
        // The commit the mirror names in what it pushes (the build context has no .git).
        args: buildArgs({ SERVICE: entry.name, GATEHOUSE_COMMIT: '${GATEHOUSE_COMMIT:-}' }),
      },
      image: `gatehouse/${entry.name}:\${GATEHOUSE_TAG:-latest}`,
      environment,
      secrets: secrets.sort(),
      volumes: [`${entry.name}_data:${composeDataDir(entry.name)}`],
      ...(Object.keys(dependsOn).length ? { depends_on: dependsOn } : {}),
      healthcheck: { test: nodeProbe(`http://127.0.0.1:${entry.port}/readyz`), ...timing, start_period: '30s' },
      // SHUTDOWN_TIMEOUT_MS (10 s) to finish requests in flight, plus closing pools.
      stop_grace_period: '15s',
      restart: 'unless-stopped',
      // Reached through nginx, which carries its host name and port (see nginxService).
      ...(entry.standIn ? { profiles: ['dev', 'test'] } : {}),
    };
  }

  if (databases.length) {
    addSecret('POSTGRES_PASSWORD');
    out.services.postgres = {
      image: image('POSTGRES_IMAGE'),
      environment: {
        POSTGRES_USER: 'gatehouse',
        POSTGRES_DB: 'gatehouse',
        POSTGRES_PASSWORD_FILE: '/run/secrets/postgres_password',
        // One database per service, created by the init script (see scripts/compose/).
        GATEHOUSE_DATABASES: databases.join(' '),
      },
      secrets: ['postgres_password'],
      volumes: [
        'postgres_data:/var/lib/postgresql/data',
        './scripts/compose/postgres-databases.sh:/docker-entrypoint-initdb.d/10-gatehouse-databases.sh:ro',
      ],
      healthcheck: {
        test: ['CMD', 'pg_isready', '-h', '127.0.0.1', '-U', 'gatehouse', '-d', 'gatehouse'],
        ...timing,
        start_period: '30s',
      },
      restart: 'unless-stopped',
    };
    out.volumes.postgres_data = {};
  }
  if (services.some((s) => s.redis)) {
    out.services.redis = {
      image: image('REDIS_IMAGE'),
      // Sessions live here: keep them across restarts.
      command: ['redis-server', '--appendonly', 'yes'],
      volumes: ['redis_data:/data'],
      healthcheck: { test: ['CMD', 'redis-cli', 'ping'], ...timing, start_period: '5s' },
      restart: 'unless-stopped',
    };
    out.volumes.redis_data = {};
  }

  out.services.mail = {
    profiles: ['dev', 'test'],
    build: { context: '.', target: 'devtools', args: buildArgs() },
    image: 'gatehouse/devtools:${GATEHOUSE_TAG:-latest}',
    command: ['node', 'node_modules/maildev/dist/bin/maildev.js', '--smtp', '1025', '--web', '1080'],
    ports: ['${MAIL_WEB_PORT:-1080}:1080'],
    healthcheck: {
      test: ['CMD', 'node', 'node_modules/maildev/dist/bin/healthcheck.js'],
      ...timing,
      start_period: '10s',
    },
  };

  out.services.tests = {
    profiles: ['test'],
    build: { context: '.', target: 'tests', args: buildArgs() },
    image: 'gatehouse/tests:${GATEHOUSE_TAG:-latest}',
    // nginx's network namespace: http://localhost:8080 is the front door, exactly
    // the PUBLIC_URL the services put into mails, as in the local run.
    network_mode: 'service:nginx',
    environment: {
      E2E_BASE_URL: 'http://localhost:8080',
      E2E_MAIL_URL: 'http://mail:1080',
      ...Object.fromEntries(
        services.filter((s) => s.standIn).map((s) => [standInTestVariable(s.name), standInUrl(services, s.name)]),
      ),
      ...browserHostRules(services),
      CI: '${CI:-}',
    },
    depends_on: {
      nginx: healthy,
      mail: healthy,
      ...Object.fromEntries(services.filter((s) => s.standIn).map((s) => [s.name, healthy])),
    },
    // A one-shot run: its exit code is the suite's result.
    healthcheck: { disable: true },
  };

  out.services = sortServices(out.services);
  return out;
}

/**
 * The front door, and the door of each stand-in (see StandIn): a server on the stand-in's
 * port under its host name, in every profile, since compose cannot vary a service by profile.
 * Without the stand-in (production) that server answers 502: it resolves the stand-in per
 * request, so nginx never waits for it; and its port is published on loopback only, where
 * the *.localhost name leads.
 */
function nginxService(services: readonly ServiceEntry[]): Record<string, unknown> {
  const table = buildRouteTable(services);
  const doors = table.standIns;
  return {
    build: { context: '.', target: 'nginx', args: buildArgs() },
    image: 'gatehouse/nginx:${GATEHOUSE_TAG:-latest}',
    environment: {
      [listenVariable]: '8080',
      [accessLogVariable]: '/dev/stdout',
      ...Object.fromEntries(table.upstreams.map((u) => [u.variable, `${u.service}:${u.port}`])),
      ...Object.fromEntries(
        doors.flatMap((d) => [
          // The same port inside and out: the host's URL must mean the same to a browser and a container.
          [d.listenVariable, String(d.port)],
          [d.upstreamVariable, `${d.service}:${d.port}`],
        ]),
      ),
      ...(doors.length ? { NGINX_ENTRYPOINT_LOCAL_RESOLVERS: '1' } : {}),
      // Only our variables are substituted; nginx's own $variables stay as written.
      NGINX_ENVSUBST_FILTER: `GATEHOUSE_|_UPSTREAM${doors.length ? `|${resolverVariable}` : ''}`,
    },
    ports: ['${GATEWAY_PORT:-8080}:8080', ...doors.map((d) => `127.0.0.1:${d.port}:${d.port}`)],
    ...(doors.length
      ? {
          // As docker-compose.tls.yml adds its server: the image itself has none for a stand-in.
          volumes: doors.map(
            (d) => `./nginx/${standInTemplatePath(d.service)}:/etc/nginx/templates/${d.service}.conf.template:ro`,
          ),
          networks: { default: { aliases: doors.map((d) => d.hostAlias) } },
        }
      : {}),
    // Not on stand-ins: they exist in the dev and test profiles only.
    depends_on: Object.fromEntries(services.filter((s) => !s.standIn).map((s) => [s.name, healthy])),
    healthcheck: {
      test: ['CMD', 'curl', '-fsS', '-o', '/dev/null', `http://127.0.0.1:8080${edgeHealthPath}`],
      ...timing,
      start_period: '5s',
    },
    restart: 'unless-stopped',
  };
}

/**
 * Chromium sends every *.localhost name to its own loopback, ignoring DNS: map each
 * stand-in's host name to nginx, which carries it as a network alias for every other
 * client, so the browser in the tests container takes the same way.
 */
function browserHostRules(services: readonly ServiceEntry[]): Record<string, string> {
  const rules = services.flatMap((s) => (s.standIn ? [`MAP ${s.standIn.hostAlias} nginx`] : []));
  return rules.length > 0 ? { E2E_BROWSER_HOST_RULES: rules.join(', ') } : {};
}

/** Where the e2e suite finds a stand-in, e.g. E2E_GITHUB_SANDBOX_URL. */
export function standInTestVariable(service: string): string {
  return `E2E_${service.toUpperCase().replace(/[^A-Z0-9]/g, '_')}_URL`;
}

function standInUrl(services: readonly ServiceEntry[], name: string): string {
  const found = services.find((s) => s.name === name);
  if (!found?.standIn) throw new Error(`"${name}" is not a stand-in in the service list`);
  return `http://${found.standIn.hostAlias}:${found.port}`;
}

function portOf(services: readonly ServiceEntry[], name: string): number {
  const found = services.find((s) => s.name === name);
  if (!found) throw new Error(`no service named "${name}" in the service list`);
  return found.port;
}

/** Infrastructure first, then the services in list order, the edge, the dev/test helpers. */
function sortServices(services: ComposeDocument['services']): ComposeDocument['services'] {
  const order = ['postgres', 'redis', 'mail'];
  const tail = ['nginx', 'tests'];
  const names = Object.keys(services);
  const middle = names.filter((n) => !order.includes(n) && !tail.includes(n));
  return Object.fromEntries([...order, ...middle, ...tail].filter((n) => n in services).map((n) => [n, services[n]!]));
}

export function composeYaml(services: readonly ServiceEntry[]): string {
  const header = [
    '# GENERATED by `npm run generate` from packages/stack/src/services.ts; do not edit.',
    '# Add a service to the list and regenerate; put machine-specific changes in',
    '# docker-compose.override.yml (compose reads it automatically).',
    '#',
    '#   npm run secrets                     secret files in .data/compose-secrets/ (once)',
    '#   docker compose up --build           nginx at http://localhost:8080 (set SMTP_URL for real mail)',
    '#   docker compose --profile dev up --build        + the mail catcher, inbox at http://localhost:1080',
    '#   docker compose --profile test up --build --abort-on-container-exit --exit-code-from tests',
    '#                                       the e2e suite against the stack, through nginx',
    '#   -f docker-compose.yml -f docker-compose.offline.yml   base images built by scripts/docker/',
    '#   npm run test:compose                the test profile with those, on a machine without a registry',
    '',
  ].join('\n');
  return `${header}${toYaml(generateCompose(services))}`;
}

/** The override that swaps in the offline stand-ins for the official base images. */
export function offlineOverrideYaml(services: readonly ServiceEntry[]): string {
  const doc = generateCompose(services);
  const override: Record<string, Record<string, unknown>> = {};
  for (const [name, service] of Object.entries(doc.services)) {
    const build = service.build as { args?: Record<string, string> } | undefined;
    if (build?.args) {
      const args = Object.fromEntries(
        Object.keys(build.args)
          .filter((k): k is keyof typeof offlineImages => k in offlineImages)
          .map((k) => [k, `\${${k}:-${offlineImages[k]}}`]),
      );
      override[name] = { build: { args } };
    } else if (typeof service.image === 'string') {
      const variable = (Object.keys(baseImages) as (keyof typeof baseImages)[]).find((k) =>
        (service.image as string).includes(k),
      );
      if (variable) override[name] = { image: `\${${variable}:-${offlineImages[variable]}}` };
    }
  }
  const header = [
    '# GENERATED by `npm run generate`; do not edit.',
    '# For machines without a container registry: build the stand-ins first',
    '# (scripts/docker/README.md), then',
    '#   docker compose -f docker-compose.yml -f docker-compose.offline.yml ...',
    '# `npm run test:compose` does all of it for the test profile (scripts/test-compose.sh).',
    '',
  ].join('\n');
  return `${header}${toYaml({ services: override })}`;
}

/**
 * YAML that docker-compose 1.29.2 (PyYAML, YAML 1.1) reads as Compose v2 does:
 * `yes`, `on` and similar are quoted, no anchors; short lists (commands,
 * healthcheck tests, profiles) on one line.
 */
export function toYaml(value: unknown): string {
  const doc = new Document(value, { version: '1.1', aliasDuplicateObjects: false });
  visit(doc, {
    Pair(_key, pair) {
      if (
        isPair(pair) &&
        isScalar(pair.key) &&
        ['test', 'command', 'profiles'].includes(String(pair.key.value)) &&
        isSeq(pair.value)
      ) {
        pair.value.flow = true;
      }
    },
    Map(_key, map) {
      if (isMap(map) && map.items.length === 0) map.flow = true;
    },
  });
  return doc.toString({ lineWidth: 0, flowCollectionPadding: false });
}
