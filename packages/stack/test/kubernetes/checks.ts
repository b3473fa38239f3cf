import type { ServiceEntry } from '../../src/service-entry.js';
import {
  kubernetesSecrets,
  kubernetesServices,
  secretsMountPath,
  serviceKubernetesSecrets,
} from '../../src/kubernetes.js';
import type { K8sObject } from './render.js';

/** What the cross-checks need to know besides the manifests, each derived elsewhere. */
export interface Facts {
  services: readonly ServiceEntry[];
  /** Each service's config schema: its keys, and those without a default. */
  schemas: Record<string, { keys: readonly string[]; required: readonly string[] }>;
  /** Whether a service answers 200 on a path (its frame's health routes). */
  serves: (service: string, path: string) => boolean;
  /** nginx: the template's variables, and the path it answers itself. */
  nginx: { variables: readonly string[]; healthPath: string };
  /** The README, where every Secret must be documented. */
  readme: string;
}

type Labels = Record<string, string>;
interface EnvVar {
  name: string;
  value?: string;
  valueFrom?: { configMapKeyRef?: { name: string; key: string }; secretKeyRef?: { name: string } };
}
interface Probe {
  httpGet?: { path?: string; port?: string | number };
}
interface Container {
  name: string;
  env?: EnvVar[];
  envFrom?: { secretRef?: { name: string }; configMapRef?: { name: string } }[];
  ports?: { name?: string; containerPort: number }[];
  readinessProbe?: Probe;
  livenessProbe?: Probe;
  resources?: { requests?: Record<string, string>; limits?: Record<string, string> };
  securityContext?: {
    runAsNonRoot?: boolean;
    readOnlyRootFilesystem?: boolean;
    allowPrivilegeEscalation?: boolean;
    seccompProfile?: { type?: string };
  };
  volumeMounts?: { name: string; mountPath: string }[];
}
interface Volume {
  name: string;
  secret?: { secretName?: string };
  projected?: { sources?: { secret?: { name: string } }[] };
}
interface PodSpec {
  containers: Container[];
  volumes?: Volume[];
  securityContext?: { runAsNonRoot?: boolean; runAsUser?: number; seccompProfile?: { type?: string } };
}
interface DeploymentSpec {
  replicas?: number;
  template: { metadata: { labels: Labels }; spec: PodSpec };
}
interface Peer {
  podSelector?: { matchLabels?: Labels };
  namespaceSelector?: unknown;
  ipBlock?: unknown;
}
interface PolicyRule {
  from?: Peer[];
  to?: Peer[];
  ports?: { port?: number | string }[];
}
interface PolicySpec {
  podSelector: { matchLabels?: Labels };
  policyTypes?: string[];
  ingress?: PolicyRule[];
  egress?: PolicyRule[];
}

const spec = <T>(o: K8sObject) => o.spec as T;
const matches = (selector: Labels | undefined, labels: Labels) =>
  Object.entries(selector ?? {}).every(([k, v]) => labels[k] === v);
const cores = (cpu: string | undefined) =>
  cpu === undefined ? NaN : cpu.endsWith('m') ? Number(cpu.slice(0, -1)) / 1000 : Number(cpu);

/** Every way the rendered manifests disagree with the repository; empty when they agree. */
export function crossCheck(objects: readonly K8sObject[], facts: Facts): string[] {
  const problems: string[] = [];
  const of = (kind: string) => objects.filter((o) => o.kind === kind);
  const deployments = of('Deployment');
  const byName = new Map(deployments.map((d) => [d.metadata.name, d]));
  const podLabels = (d: K8sObject) => spec<DeploymentSpec>(d).template.metadata.labels;
  const entries = kubernetesServices(facts.services);
  const documented = new Set(kubernetesSecrets(facts.services).map((s) => s.name));

  for (const entry of entries) if (!byName.has(entry.name)) problems.push(`no Deployment for service ${entry.name}`);
  if (!byName.has('nginx')) problems.push('no Deployment for nginx');
  if (of('Secret').length > 0) problems.push('a Secret is inlined in the manifests; they must only name them');

  for (const d of deployments) {
    const name = d.metadata.name;
    const entry = entries.find((e) => e.name === name);
    const pod = spec<DeploymentSpec>(d).template.spec;
    if (spec<DeploymentSpec>(d).replicas !== undefined)
      problems.push(`Deployment/${name}: sets replicas, which its HorizontalPodAutoscaler owns`);
    if (!entry && name !== 'nginx') problems.push(`Deployment/${name}: not a service of the service list, nor nginx`);
    const podSecurity = pod.securityContext ?? {};
    if (podSecurity.runAsNonRoot !== true || !(Number(podSecurity.runAsUser) > 0))
      problems.push(`Deployment/${name}: the pod must run as a non-root user, by number`);
    for (const c of pod.containers) {
      const id = `Deployment/${name} container ${c.name}`;
      const sc = c.securityContext ?? {};
      if (sc.readOnlyRootFilesystem !== true) problems.push(`${id}: root filesystem not read-only`);
      if (sc.allowPrivilegeEscalation !== false) problems.push(`${id}: allows privilege escalation`);
      if ((sc.seccompProfile ?? podSecurity.seccompProfile)?.type !== 'RuntimeDefault')
        problems.push(`${id}: seccomp profile is not RuntimeDefault`);
      for (const side of ['requests', 'limits'] as const)
        for (const resource of ['cpu', 'memory'])
          if (!c.resources?.[side]?.[resource]) problems.push(`${id}: no ${resource} ${side}`);
      const portNames = new Set((c.ports ?? []).map((p) => p.name));
      for (const [kind, probe, wanted] of [
        ['readiness', c.readinessProbe, entry ? '/readyz' : facts.nginx.healthPath],
        ['liveness', c.livenessProbe, entry ? '/healthz' : facts.nginx.healthPath],
      ] as const) {
        const path = probe?.httpGet?.path;
        if (!path) {
          problems.push(`${id}: no ${kind} probe over HTTP`);
          continue;
        }
        if (path !== wanted) problems.push(`${id}: ${kind} probe on ${path}, expected ${wanted}`);
        if (entry ? !facts.serves(entry.name, path) : path !== facts.nginx.healthPath)
          problems.push(`${id}: ${kind} probe path ${path} is not one the service answers`);
        const port = probe.httpGet!.port;
        if (typeof port === 'string' ? !portNames.has(port) : !(c.ports ?? []).some((p) => p.containerPort === port))
          problems.push(`${id}: ${kind} probe port ${String(port)} is not a container port`);
      }
      if (entry && !(c.ports ?? []).some((p) => p.containerPort === entry.port))
        problems.push(`${id}: does not expose the service's port ${entry.port}`);
      problems.push(...envProblems(id, c, entry, facts, objects));
      const workers = c.env?.find((e) => e.name === 'HASH_WORKERS')?.value;
      if (workers !== undefined && Number(workers) > Math.ceil(cores(c.resources?.limits?.cpu)))
        problems.push(`${id}: HASH_WORKERS=${workers} above its CPU limit (${c.resources?.limits?.cpu})`);
    }
    // Secrets: exactly the ones the service list gives this service, each documented, all as files.
    const referenced = secretReferences(pod);
    for (const secret of referenced)
      if (!documented.has(secret))
        problems.push(`Deployment/${name}: Secret ${secret} is not documented (packages/stack/src/kubernetes.ts)`);
    if (entry) {
      const expected = serviceKubernetesSecrets(entry);
      for (const s of expected) {
        if (!referenced.includes(s.name)) problems.push(`Deployment/${name}: does not mount Secret ${s.name}`);
        const env = pod.containers[0]?.env?.find((e) => e.name === `${s.variable}_FILE`);
        if (env?.value !== `${secretsMountPath}/${s.file}`)
          problems.push(`Deployment/${name}: ${s.variable}_FILE is not ${secretsMountPath}/${s.file}`);
      }
      for (const secret of referenced)
        if (!expected.some((s) => s.name === secret))
          problems.push(`Deployment/${name}: mounts Secret ${secret}, which is not one of its own`);
    }
  }
  for (const secret of documented)
    if (!facts.readme.includes(`\`${secret}\``)) problems.push(`Secret ${secret} is not in the README`);

  for (const s of of('Service')) {
    const svc = spec<{ selector?: Labels; ports: { port: number; targetPort?: string | number }[] }>(s);
    const targets = deployments.filter((d) => svc.selector && matches(svc.selector, podLabels(d)));
    if (targets.length === 0) {
      problems.push(`Service/${s.metadata.name}: selects no Deployment`);
      continue;
    }
    for (const port of svc.ports)
      for (const d of targets) {
        const ports = spec<DeploymentSpec>(d).template.spec.containers.flatMap((c) => c.ports ?? []);
        const target = port.targetPort ?? port.port;
        if (!ports.some((p) => (typeof target === 'string' ? p.name === target : p.containerPort === target)))
          problems.push(
            `Service/${s.metadata.name}: port ${String(target)} is not a port of Deployment/${d.metadata.name}`,
          );
      }
    const entry = entries.find((e) => e.name === s.metadata.name);
    if (entry && !svc.ports.some((p) => p.port === entry.port))
      problems.push(`Service/${s.metadata.name}: does not listen on ${entry.port}, where the others call it`);
  }

  for (const h of of('HorizontalPodAutoscaler')) {
    const hpa = spec<{ scaleTargetRef: { kind: string; name: string }; minReplicas?: number; maxReplicas: number }>(h);
    if (hpa.scaleTargetRef.kind !== 'Deployment' || !byName.has(hpa.scaleTargetRef.name))
      problems.push(`HorizontalPodAutoscaler/${h.metadata.name}: scales no Deployment of the manifests`);
    if ((hpa.minReplicas ?? 1) > hpa.maxReplicas)
      problems.push(`HorizontalPodAutoscaler/${h.metadata.name}: minReplicas above maxReplicas`);
  }
  for (const d of deployments) {
    const name = d.metadata.name;
    if (
      !of('HorizontalPodAutoscaler').some(
        (h) => spec<{ scaleTargetRef: { name: string } }>(h).scaleTargetRef.name === name,
      )
    )
      problems.push(`Deployment/${name}: no HorizontalPodAutoscaler`);
    if (
      !of('PodDisruptionBudget').some((p) =>
        matches(spec<{ selector: { matchLabels?: Labels } }>(p).selector.matchLabels, podLabels(d)),
      )
    )
      problems.push(`Deployment/${name}: no PodDisruptionBudget`);
  }
  for (const p of of('PodDisruptionBudget')) {
    const selector = spec<{ selector: { matchLabels?: Labels } }>(p).selector.matchLabels;
    if (!deployments.some((d) => matches(selector, podLabels(d))))
      problems.push(`PodDisruptionBudget/${p.metadata.name}: selects no Deployment`);
  }

  problems.push(...networkProblems(of('NetworkPolicy'), deployments, entries));
  return problems;
}

function secretReferences(pod: PodSpec): string[] {
  const names = new Set<string>();
  for (const v of pod.volumes ?? []) {
    if (v.secret?.secretName) names.add(v.secret.secretName);
    for (const source of v.projected?.sources ?? []) if (source.secret) names.add(source.secret.name);
  }
  for (const c of pod.containers) {
    for (const e of c.env ?? []) if (e.valueFrom?.secretKeyRef) names.add(e.valueFrom.secretKeyRef.name);
    for (const e of c.envFrom ?? []) if (e.secretRef) names.add(e.secretRef.name);
  }
  return [...names];
}

function envProblems(
  id: string,
  c: Container,
  entry: ServiceEntry | undefined,
  facts: Facts,
  objects: readonly K8sObject[],
): string[] {
  const problems: string[] = [];
  if (c.envFrom?.length) problems.push(`${id}: envFrom hides which variables a service gets; list them`);
  const allowed = entry
    ? new Set(facts.schemas[entry.name]?.keys ?? [])
    : new Set([...facts.nginx.variables, 'NGINX_ENVSUBST_FILTER']);
  const secretVariables = new Set(entry ? serviceKubernetesSecrets(entry).map((s) => s.variable) : []);
  for (const e of c.env ?? []) {
    const key = entry && e.name.endsWith('_FILE') ? e.name.slice(0, -'_FILE'.length) : e.name;
    if (!allowed.has(key)) problems.push(`${id}: ${e.name} is not a key of its config schema`);
    if (secretVariables.has(e.name)) problems.push(`${id}: secret ${e.name} set as a value; mount it as a file`);
    const ref = e.valueFrom?.configMapKeyRef;
    if (ref) {
      const map = objects.find((o) => o.kind === 'ConfigMap' && o.metadata.name === ref.name);
      if (!map?.data || !(ref.key in map.data))
        problems.push(`${id}: ${e.name} reads ${ref.name}/${ref.key}, which is not rendered`);
    }
    // A URL to another service (http://auth:3001) must name a Service on that port.
    const link = /^http:\/\/([a-z0-9-]+):(\d+)$/.exec(e.value ?? '') ?? /^([a-z0-9-]+):(\d+)$/.exec(e.value ?? '');
    if (link) {
      const target = objects.find((o) => o.kind === 'Service' && o.metadata.name === link[1]);
      const ports = (target?.spec as { ports?: { port: number }[] } | undefined)?.ports ?? [];
      if (!ports.some((p) => p.port === Number(link[2])))
        problems.push(`${id}: ${e.name}=${e.value} is no Service port`);
    }
  }
  if (entry) {
    const set = new Set((c.env ?? []).map((e) => e.name.replace(/_FILE$/, '')));
    for (const required of facts.schemas[entry.name]?.required ?? [])
      if (!set.has(required)) problems.push(`${id}: required ${required} is not set`);
  } else {
    const set = new Set((c.env ?? []).map((e) => e.name));
    for (const variable of facts.nginx.variables)
      if (!set.has(variable)) problems.push(`${id}: ${variable} is not set`);
  }
  return problems;
}

/**
 * Only nginx is reached from outside; a service is reached by nginx and the
 * services that call it (dependsOn); only services with a database reach
 * Postgres, only those with Redis reach Redis.
 */
function networkProblems(policies: K8sObject[], deployments: K8sObject[], entries: ServiceEntry[]): string[] {
  const problems: string[] = [];
  const specs = policies.map((p) => spec<PolicySpec>(p));
  if (
    !specs.some(
      (p) =>
        Object.keys(p.podSelector.matchLabels ?? {}).length === 0 &&
        ['Ingress', 'Egress'].every((t) => p.policyTypes?.includes(t)) &&
        !p.ingress?.length &&
        !p.egress?.length,
    )
  )
    problems.push('NetworkPolicy: no default-deny policy for every pod, both directions');
  const labelsOf = (name: string) =>
    spec<DeploymentSpec>(deployments.find((d) => d.metadata.name === name)!).template.metadata.labels;
  for (const d of deployments) {
    const name = d.metadata.name;
    const labels = spec<DeploymentSpec>(d).template.metadata.labels;
    const mine = specs.filter((p) => matches(p.podSelector.matchLabels, labels));
    const ingress = mine.flatMap((p) => p.ingress ?? []);
    const egress = mine.flatMap((p) => p.egress ?? []);
    const entry = entries.find((e) => e.name === name);
    if (entry) {
      const callers = ['nginx', ...entries.filter((e) => e.dependsOn?.includes(name)).map((e) => e.name)];
      const admitted = new Set<string>();
      for (const rule of ingress) {
        if (!rule.from?.length) problems.push(`NetworkPolicy: anyone may reach ${name}`);
        for (const peer of rule.from ?? []) {
          if (peer.ipBlock || peer.namespaceSelector || !peer.podSelector)
            problems.push(`NetworkPolicy: pods outside Gatehouse may reach ${name}`);
          for (const other of deployments)
            if (peer.podSelector && matches(peer.podSelector.matchLabels, labelsOf(other.metadata.name)))
              admitted.add(other.metadata.name);
        }
      }
      for (const other of admitted)
        if (!callers.includes(other))
          problems.push(`NetworkPolicy: ${other} may reach ${name}, which it does not call`);
      for (const caller of callers)
        if (!admitted.has(caller)) problems.push(`NetworkPolicy: ${caller} may not reach ${name}, which it calls`);
    }
    const reaches = (port: number) =>
      egress.some((rule) => !rule.ports?.length || rule.ports.some((p) => Number(p.port) === port));
    for (const [port, what, needs] of [
      [5432, 'Postgres', entry?.database === true],
      [6379, 'Redis', entry?.redis === true],
    ] as const) {
      if (reaches(port) && !needs) problems.push(`NetworkPolicy: ${name} may reach ${what} (${port})`);
      if (!reaches(port) && needs) problems.push(`NetworkPolicy: ${name} may not reach ${what} (${port})`);
    }
  }
  return problems;
}
