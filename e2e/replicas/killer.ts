// The killer of the replica journeys: at seeded random moments it SIGKILLs one
// replica of each service, starts it again a little later, waits until its
// healthcheck passes, and reloads nginx (nginx 1.22 resolves a service name
// at start and reload only, and a restarted container has a new address).
// Every step is printed with its time and the seed, so a failure can be replayed
// with GATEHOUSE_KILL_SEED.
import type { DockerEngine } from '../support/docker-engine.js';

export interface PlannedKill {
  service: string;
  /** 0-based replica (compose's container number minus one). */
  replica: number;
  atMs: number;
  downMs: number;
}

/** mulberry32: small, seedable, good enough to spread kill times. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** One kill per service, at a moment within the first `windowMs` of the journey. */
export function planKills(random: () => number, services: string[], replicas: number, windowMs: number): PlannedKill[] {
  return services.map((service) => ({
    service,
    replica: Math.floor(random() * replicas),
    atMs: Math.round(2000 + random() * (windowMs - 2000)),
    downMs: Math.round(500 + random() * 2500),
  }));
}

export interface Killer {
  /** Settles once every planned kill is done and its replica is healthy again (and nginx reloaded). */
  done: Promise<string[]>;
}

export function startKiller(options: {
  docker: DockerEngine;
  project: string;
  plan: PlannedKill[];
  log: (line: string) => void;
}): Killer {
  const { docker, project, plan, log } = options;
  const started = performance.now();
  const stamp = () => `+${((performance.now() - started) / 1000).toFixed(1)}s`;
  const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
  const events: string[] = [];
  const note = (line: string) => {
    const entry = `${stamp()} ${line}`;
    events.push(entry);
    log(`killer ${entry}`);
  };
  const one = async (kill: PlannedKill) => {
    await sleep(kill.atMs - (performance.now() - started));
    const target = (await docker.containers(project, kill.service))[kill.replica];
    if (!target) throw new Error(`no replica ${kill.replica + 1} of ${kill.service} in ${project}`);
    note(`SIGKILL ${target.name} (${target.ip})`);
    await docker.kill(target.id, 'KILL');
    await sleep(kill.downMs);
    await docker.start(target.id);
    note(`started ${target.name}`);
    for (let waited = 0; ; waited += 500) {
      const now = await docker.inspect(target.id);
      if (now.running && (now.health === undefined || now.health === 'healthy')) break;
      if (waited > 120_000) throw new Error(`${target.name} did not turn healthy within 120 s after its restart`);
      await sleep(500);
    }
    const nginx = await docker.containers(project, 'nginx');
    for (const edge of nginx) await docker.kill(edge.id, 'HUP');
    note(`${target.name} healthy again (${(await docker.inspect(target.id)).ip}); nginx reloaded`);
  };
  return { done: Promise.all(plan.map(one)).then(() => events) };
}
