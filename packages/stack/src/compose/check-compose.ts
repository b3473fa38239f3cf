import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describeConfig } from '@gatehouse/service-kit';
import { parse } from 'yaml';
import { loadServiceSchema } from '../config-table.js';
import type { ServiceEntry } from '../service-entry.js';

/**
 * Checks of a compose file that need no Docker engine: references that
 * resolve, profiles that hold together, and every variable a service
 * requires being set. Each returns problems as sentences; none means fine.
 */

type Service = {
  profiles?: string[];
  depends_on?: string[] | Record<string, { condition?: string }>;
  secrets?: (string | { source: string })[];
  volumes?: (string | { type?: string; source?: string })[];
  environment?: Record<string, string> | string[];
  healthcheck?: { disable?: boolean; test?: unknown };
  network_mode?: string;
  build?: { context?: string; target?: string; dockerfile?: string };
};
export type ComposeFile = {
  services?: Record<string, Service>;
  volumes?: Record<string, unknown>;
  secrets?: Record<string, unknown>;
};

/** Reads a compose file as docker-compose 1.29.2 does (YAML 1.1). */
export function readComposeFile(path: string): ComposeFile {
  return parse(readFileSync(path, 'utf8'), { version: '1.1' }) as ComposeFile;
}

function dependencies(service: Service): string[] {
  const deps = Array.isArray(service.depends_on) ? service.depends_on : Object.keys(service.depends_on ?? {});
  const shared = /^service:(.+)$/.exec(service.network_mode ?? '')?.[1];
  return shared ? [...deps, shared] : deps;
}

function activeIn(service: Service, profile: string | undefined): boolean {
  if (!service.profiles?.length) return true;
  return profile !== undefined && service.profiles.includes(profile);
}

export function environmentOf(service: Service): Record<string, string> {
  if (!Array.isArray(service.environment)) return { ...service.environment };
  return Object.fromEntries(service.environment.map((line) => [line.split('=')[0]!, line.slice(line.indexOf('=') + 1)]));
}

export interface ReferenceCheckOptions {
  /** Where relative paths (bind mounts, build contexts) start. */
  projectDir: string;
  /** The profile whose run must be complete, and the service it runs. */
  testProfile?: { profile: string; service: string };
}

export function checkReferences(file: ComposeFile, options: ReferenceCheckOptions): string[] {
  const problems: string[] = [];
  const services = file.services ?? {};
  const names = Object.keys(services);
  const usedSecrets = new Set<string>();
  const usedVolumes = new Set<string>();
  const profiles = new Set(names.flatMap((n) => services[n]!.profiles ?? []));

  for (const [name, service] of Object.entries(services)) {
    for (const dep of dependencies(service)) {
      if (!services[dep]) {
        problems.push(`${name} depends on "${dep}", which is not a service`);
        continue;
      }
      // A service must be able to start in every profile it is active in.
      for (const profile of [undefined, ...profiles]) {
        if (activeIn(service, profile) && !activeIn(services[dep]!, profile)) {
          problems.push(`${name} depends on "${dep}", which is not active ${profile ? `in profile "${profile}"` : 'without a profile'}`);
        }
      }
    }
    if (!Array.isArray(service.depends_on)) {
      for (const [dep, how] of Object.entries(service.depends_on ?? {})) {
        if (how.condition !== 'service_healthy') problems.push(`${name} waits for "${dep}" without condition: service_healthy`);
        else if (services[dep] && (!services[dep].healthcheck || services[dep].healthcheck.disable)) {
          problems.push(`${name} waits for "${dep}" to be healthy, but "${dep}" has no healthcheck`);
        }
      }
    } else if (service.depends_on.length) {
      problems.push(`${name} lists depends_on without conditions; use condition: service_healthy`);
    }
    const oneShot = service.healthcheck?.disable === true && service.profiles?.length;
    if (!oneShot && (!service.healthcheck || service.healthcheck.disable || !service.healthcheck.test)) {
      problems.push(`${name} has no healthcheck`);
    }
    for (const secret of service.secrets ?? []) {
      const source = typeof secret === 'string' ? secret : secret.source;
      usedSecrets.add(source);
      if (!file.secrets?.[source]) problems.push(`${name} uses secret "${source}", which is not declared`);
    }
    for (const volume of service.volumes ?? []) {
      const source = typeof volume === 'string' ? volume.split(':')[0]! : (volume.source ?? '');
      if (source.startsWith('.') || source.startsWith('/') || source.startsWith('$')) {
        const local = source.replace(/^\$\{[A-Z_]+:-([^}]+)\}/, '$1');
        if ((local.startsWith('./') || local.startsWith('../')) && !existsSync(join(options.projectDir, local))) {
          problems.push(`${name} mounts ${source}, which does not exist`);
        }
        continue;
      }
      usedVolumes.add(source);
      if (!file.volumes || !(source in file.volumes)) problems.push(`${name} uses volume "${source}", which is not declared`);
    }
    for (const [key, value] of Object.entries(environmentOf(service))) {
      const secret = /^\/run\/secrets\/(.+)$/.exec(value)?.[1];
      if (key.endsWith('_FILE') && secret && !(service.secrets ?? []).some((s) => (typeof s === 'string' ? s : s.source) === secret)) {
        problems.push(`${name}: ${key} points at /run/secrets/${secret}, but the service does not mount that secret`);
      }
    }
    if (service.build?.target) {
      const dockerfile = join(options.projectDir, service.build.context ?? '.', service.build.dockerfile ?? 'Dockerfile');
      const stages = existsSync(dockerfile) ? [...readFileSync(dockerfile, 'utf8').matchAll(/^FROM\s+\S+\s+AS\s+(\S+)/gim)].map((m) => m[1]) : [];
      if (!stages.includes(service.build.target)) problems.push(`${name} builds target "${service.build.target}", which ${dockerfile} does not have`);
    }
  }
  for (const secret of Object.keys(file.secrets ?? {})) if (!usedSecrets.has(secret)) problems.push(`secret "${secret}" is declared but unused`);
  for (const volume of Object.keys(file.volumes ?? {})) if (!usedVolumes.has(volume)) problems.push(`volume "${volume}" is declared but unused`);

  if (options.testProfile) {
    const { profile, service } = options.testProfile;
    if (!services[service]) problems.push(`the ${profile} profile's "${service}" service is missing`);
    else if (!activeIn(services[service], profile)) problems.push(`"${service}" is not in the ${profile} profile`);
    // Everything the test run reaches, transitively, must start in that profile.
    const seen = new Set<string>();
    const walk = (n: string) => {
      if (seen.has(n) || !services[n]) return;
      seen.add(n);
      if (!activeIn(services[n], profile)) problems.push(`the ${profile} run needs "${n}", which is not active in that profile`);
      dependencies(services[n]).forEach(walk);
    };
    walk(service);
  }
  return problems;
}

/**
 * Every variable a service's config schema requires (no default, not
 * optional) is set in its compose environment, as KEY or KEY_FILE.
 */
export async function checkRequiredEnvironment(file: ComposeFile, services: readonly ServiceEntry[]): Promise<string[]> {
  const problems: string[] = [];
  for (const entry of services) {
    const service = file.services?.[entry.name];
    if (!service) {
      problems.push(`service "${entry.name}" of the service list is missing from the compose file`);
      continue;
    }
    const environment = environmentOf(service);
    for (const row of describeConfig(await loadServiceSchema(entry))) {
      if (row.required && environment[row.key] === undefined && environment[`${row.key}_FILE`] === undefined) {
        problems.push(`${entry.name} requires ${row.key}, but compose sets neither ${row.key} nor ${row.key}_FILE`);
      }
    }
  }
  return problems;
}

let validator: ((doc: unknown) => string[]) | undefined;

/**
 * Validates against the compose-spec JSON schema (the copy dclint bundles).
 * Imported lazily: ajv and dclint are tools for checks, not for running.
 */
export async function checkComposeSchema(file: ComposeFile): Promise<string[]> {
  if (!validator) {
    const { Ajv } = await import('ajv');
    const schemaPath = new URL('./schemas/compose.schema.json', import.meta.resolve('dclint/package.json'));
    const { $schema: _draft, ...schema } = JSON.parse(readFileSync(schemaPath, 'utf8')) as Record<string, unknown>;
    // The schema's "format"s (durations, …) are not ajv's; the structure is what we check.
    const validate = new Ajv({ strict: false, allErrors: true, validateFormats: false }).compile(schema);
    validator = (doc) => (validate(doc) ? [] : (validate.errors ?? []).map((e) => `${e.instancePath || '/'} ${e.message ?? 'is invalid'}`));
  }
  return validator(file);
}
