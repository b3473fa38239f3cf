import type { Socket as UdpSocket } from 'node:dgram';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { StackConfig } from '../config.js';
import { repoRoot } from '../paths.js';
import { buildRouteTable } from '../route-table.js';
import { ensureSecrets, serviceSecrets } from '../secrets.js';
import type { ServiceEntry, StackAddresses } from '../service-entry.js';
import type { ExitInfo, ManagedChild } from './child.js';
import { startNginx, startNodeGateway, type FrontDoorContext } from './front-door.js';
import { freePort, freePorts } from './ports.js';
import { ReplicaSet } from './replica-set.js';
import { checkReplicaMode, ensureServiceDatabases, replicated, type Replica } from './replicas.js';
import { checkPorts, chooseNginx } from './preflight.js';
import { baseEnv, unknownService } from './service-env.js';
import type { StackReporter } from './stack-reporter.js';
import { selectLocalServices, type LocalSelection } from './stand-ins.js';
import { createSupervisor, type Supervisor } from './supervisor.js';
import { waitFor } from './wait.js';

export { StackStartError, type StackReporter } from './stack-reporter.js';

export interface RunningStack {
  urls: { app: string; inbox: string; mailApi: string; pages: { label: string; url: string }[] };
  gateway: 'nginx' | 'node';
  /** Every service process (auth-1, auth-2, … in a replicated run) and its port. */
  replicas: Replica[];
  /** Restarts one replica (SIGTERM, wait for it to drain and exit, start, wait until ready); replicated runs only. */
  restartReplica(name: string): Promise<void>;
  /** Settles when any part stops without being asked to. */
  failed: Promise<ExitInfo>;
  stop(): Promise<void>;
}

/**
 * The whole stack as local processes: a mail catcher, every service of the
 * list (PGlite in its own DATA_DIR, secrets as files), and a front door —
 * nginx when installed, else the Node gateway — from the same route table.
 * With GATEHOUSE_REPLICAS above 1 (see replicas.ts) the services behind the
 * edge run that many times each on Postgres, and nginx, started first,
 * balances over them.
 */
export async function startStack(
  config: StackConfig,
  listed: readonly ServiceEntry[],
  report: StackReporter,
  options: { signal?: AbortSignal } = {},
): Promise<RunningStack> {
  const table = buildRouteTable(listed);
  const selection = selectLocalServices(listed, config.env);
  const { services } = selection;
  for (const name of selection.replaced) {
    const variables = Object.keys(selection.exported).join(', ');
    report.info(`not starting ${name}: ${variables} point at the real host`);
  }
  const nginxBin = chooseNginx(config);
  checkReplicaMode(config, nginxBin);
  await checkPorts(config, services, nginxBin ? 'nginx' : 'node');
  const many = config.replicas > 1 ? replicated(services) : [];
  if (many.length) await ensureServiceDatabases(config.databaseUrl!, many);
  const secretFiles = await prepareSecrets(config, selection, report);

  const supervisor = createSupervisor();
  let gateway: { close(): Promise<void> } | undefined;
  let syslog: UdpSocket | undefined;
  let stopped: Promise<void> | undefined;
  let set: ReplicaSet | undefined;
  const stop = () =>
    (stopped ??= (async () => {
      set?.stop();
      await gateway?.close();
      await supervisor.stopAll();
      syslog?.close();
    })());
  const wait = (what: string, url: string, child: ManagedChild, timeoutMs: number) =>
    waitFor({ what, url, child, timeoutMs, report, failed: supervisor.failed, signal: options.signal });

  try {
    const mail = startMail(config, supervisor, report);
    const addresses: StackAddresses = {
      url: (name) => `http://127.0.0.1:${config.servicePorts[name] ?? unknownService(name)}`,
      publicUrl: config.publicUrl,
      hostUrl: (name) => `http://localhost:${config.servicePorts[name] ?? unknownService(name)}`,
    };
    // Replicas on ports of their own; a stand-in behind its door, which owns the stand-in's port.
    const replicaPorts = Object.fromEntries(
      await Promise.all([
        ...many.map(async (s) => [s.name, await freePorts(config.replicas)] as const),
        ...services.filter((s) => s.standIn).map(async (s) => [s.name, [await freePort()]] as const),
      ]),
    );
    set = new ReplicaSet(
      {
        config,
        selection,
        secretFiles,
        addresses,
        supervisor,
        report,
        ready: (r, child) => wait(r.name, `http://127.0.0.1:${r.port}/readyz`, child, 90_000),
      },
      replicaPorts,
    );
    const frontDoor: FrontDoorContext = {
      config,
      table,
      upstreams: set.upstreams(),
      report,
      wait,
      // Replicated: the services reach each other through nginx on their usual ports, so nginx goes first.
      ...(many.length
        ? { internalListen: Object.fromEntries(many.map((s) => [s.name, `127.0.0.1:${config.servicePorts[s.name]}`])) }
        : {}),
    };
    if (many.length) syslog = await startNginx(nginxBin!, frontDoor, supervisor);
    await Promise.all([wait('mail catcher', `${mail.api}/api/healthz`, mail.child, 20_000), set.startAll()]);
    if (!many.length) {
      if (nginxBin) syslog = await startNginx(nginxBin, frontDoor, supervisor);
      else gateway = await startNodeGateway(frontDoor);
    }
    const replicaSet = set;

    return {
      urls: {
        app: config.publicUrl,
        inbox: `http://localhost:${config.mailWebPort}`,
        mailApi: mail.api,
        pages: services
          .filter((s) => s.directPage)
          .map((s) => ({ label: s.directPage!, url: addresses.hostUrl(s.name) })),
      },
      gateway: nginxBin ? 'nginx' : 'node',
      replicas: replicaSet.replicas,
      restartReplica: (name) => replicaSet.restartReplica(name),
      failed: supervisor.failed,
      stop,
    };
  } catch (err) {
    await stop();
    throw err;
  }
}

/** Generated on the first run, kept after; services get the files' paths. */
async function prepareSecrets(config: StackConfig, { services, exported }: LocalSelection, report: StackReporter) {
  await mkdir(config.dataDir, { recursive: true });
  const dir = join(config.dataDir, 'secrets');
  // An exported real-host secret (GITHUB_CLIENT_SECRET) is used as given: no file for it.
  const names = serviceSecrets(services).filter((name) => !(name in exported));
  const secrets = await ensureSecrets({ dir, names });
  if (secrets.created.length) report.info(`generated secrets ${secrets.created.join(', ')} in ${dir} (mode 0600)`);
  return secrets.files;
}

function startMail(
  config: StackConfig,
  supervisor: Supervisor,
  report: StackReporter,
): { child: ManagedChild; api: string } {
  // maildev exports only its library entry (dist/index.js); its CLI sits beside it.
  const mailBin = fileURLToPath(new URL('./bin/maildev.js', import.meta.resolve('maildev')));
  report.info(`starting the mail catcher (maildev: SMTP ${config.mailSmtpPort}, inbox ${config.mailWebPort})`);
  const child = supervisor.spawn({
    name: 'mail',
    command: process.execPath,
    args: [
      mailBin,
      '--smtp',
      String(config.mailSmtpPort),
      '--ip',
      '127.0.0.1',
      '--web',
      String(config.mailWebPort),
      '--web-ip',
      '127.0.0.1',
    ],
    cwd: repoRoot,
    env: baseEnv(config.env),
    onLine: report.line,
  });
  return { child, api: `http://127.0.0.1:${config.mailWebPort}` };
}
