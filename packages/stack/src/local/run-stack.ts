import type { Socket as UdpSocket } from 'node:dgram';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { StackConfig } from '../config.js';
import { servicePortVariable } from '../config.js';
import { createGateway, type Gateway } from '../gateway/node-gateway.js';
import { accessLogVariable, listenVariable } from '../nginx/generate-nginx.js';
import { checkNginxConfig, findNginx, nginxArgs, prepareNginx } from '../nginx/local-nginx.js';
import { repoRoot } from '../paths.js';
import { buildRouteTable, edgeHealthPath } from '../route-table.js';
import { ensureSecrets, serviceSecrets } from '../secrets.js';
import type { ServiceEntry, StackAddresses } from '../service-entry.js';
import { ManagedChild, type ExitInfo } from './child.js';
import { takenPorts, type PortClaim } from './ports.js';
import { baseEnv, serviceEnv, unknownService } from './service-env.js';
import { StackStartError, type StackReporter } from './stack-reporter.js';
import { accessLogReceiver, waitFor } from './wait.js';

export { StackStartError, type StackReporter } from './stack-reporter.js';

export interface RunningStack {
  urls: { app: string; inbox: string; mailApi: string; pages: { label: string; url: string }[] };
  gateway: 'nginx' | 'node';
  /** Settles when any part stops without being asked to. */
  failed: Promise<ExitInfo>;
  stop(): Promise<void>;
}


/**
 * The whole stack as local processes: a mail catcher, every service of the
 * list (PGlite in its own DATA_DIR, secrets as files), and a front door —
 * nginx when installed, else the Node gateway — from the same route table.
 */
export async function startStack(
  config: StackConfig,
  services: readonly ServiceEntry[],
  report: StackReporter,
  options: { signal?: AbortSignal } = {},
): Promise<RunningStack> {
  const table = buildRouteTable(services);
  const nginxBin = config.gateway === 'node' ? undefined : findNginx({ nginxBin: config.nginxBin, path: config.env.PATH });
  if (config.gateway === 'nginx' && !nginxBin) {
    throw new StackStartError(
      'GATEHOUSE_GATEWAY=nginx but no nginx binary was found (PATH, /usr/sbin). Install nginx, set NGINX_BIN, or use GATEHOUSE_GATEWAY=node.',
    );
  }
  const gatewayKind = nginxBin ? 'nginx' : 'node';

  const claims: PortClaim[] = [
    { what: `the front door, ${gatewayKind}`, host: config.gatewayHost, port: config.gatewayPort, variable: 'GATEWAY_PORT' },
    ...services.map((s) => ({
      what: `the ${s.name} service`,
      host: '127.0.0.1',
      port: config.servicePorts[s.name]!,
      variable: servicePortVariable(s.name),
    })),
    { what: 'the mail inbox', host: '127.0.0.1', port: config.mailWebPort, variable: 'MAIL_WEB_PORT' },
    { what: 'the mail catcher\'s SMTP server', host: '127.0.0.1', port: config.mailSmtpPort, variable: 'MAIL_SMTP_PORT' },
  ];
  const duplicates = claims.filter((c, i) => claims.findIndex((d) => d.port === c.port) !== i);
  if (duplicates.length) {
    throw new StackStartError(`Port ${duplicates[0]!.port} is configured twice (${duplicates[0]!.variable}); give every part its own port.`);
  }
  const taken = await takenPorts(claims);
  if (taken.length) {
    const lines = taken.map((c) => `  - port ${c.port} (${c.what}) is already in use: set ${c.variable}=<another port>`);
    throw new StackStartError(`Cannot start: some ports are taken.\n${lines.join('\n')}\n(Another \`npm start\` still running?)`);
  }

  await mkdir(config.dataDir, { recursive: true });
  const secrets = await ensureSecrets({ dir: join(config.dataDir, 'secrets'), names: serviceSecrets(services) });
  if (secrets.created.length) report.info(`generated secrets ${secrets.created.join(', ')} in ${join(config.dataDir, 'secrets')} (mode 0600)`);

  const children: ManagedChild[] = [];
  let gateway: Gateway | undefined;
  let syslog: UdpSocket | undefined;
  let failure: (info: ExitInfo) => void = () => {};
  const failed = new Promise<ExitInfo>((resolve) => {
    failure = resolve;
  });
  const wait = (what: string, url: string, child: ManagedChild, timeoutMs: number) =>
    waitFor({ what, url, child, timeoutMs, report, failed, signal: options.signal });
  // A crash of the orchestrator must not leave its children behind.
  const killAll = () => children.forEach((c) => c.kill());
  process.once('exit', killAll);

  const spawnChild = (options: ConstructorParameters<typeof ManagedChild>[0]) => {
    const child = new ManagedChild(options);
    children.push(child);
    void child.exited.then((info) => {
      if (!info.expected) failure(info);
    });
    return child;
  };

  let stopped: Promise<void> | undefined;
  const stop = () =>
    (stopped ??= (async () => {
      await gateway?.close();
      const nginx = children.find((c) => c.name === 'nginx');
      await nginx?.stop(10_000);
      await Promise.all(children.filter((c) => c !== nginx && c.name !== 'mail').map((c) => c.stop(15_000)));
      await Promise.all(children.map((c) => c.stop(5_000)));
      syslog?.close();
      process.off('exit', killAll);
    })());

  try {
    // maildev exports only its library entry (dist/index.js); its CLI sits beside it.
    const mailBin = fileURLToPath(new URL('./bin/maildev.js', import.meta.resolve('maildev')));
    const mailApi = `http://127.0.0.1:${config.mailWebPort}`;
    report.info(`starting the mail catcher (maildev: SMTP ${config.mailSmtpPort}, inbox ${config.mailWebPort})`);
    const mail = spawnChild({
      name: 'mail',
      command: process.execPath,
      args: [mailBin, '--smtp', String(config.mailSmtpPort), '--ip', '127.0.0.1', '--web', String(config.mailWebPort), '--web-ip', '127.0.0.1'],
      cwd: repoRoot,
      env: baseEnv(config.env),
      onLine: report.line,
    });

    const addresses: StackAddresses = {
      url: (name) => `http://127.0.0.1:${config.servicePorts[name] ?? unknownService(name)}`,
      publicUrl: config.publicUrl,
      hostUrl: (name) => `http://localhost:${config.servicePorts[name] ?? unknownService(name)}`,
    };
    const started: { entry: ServiceEntry; child: ManagedChild }[] = [];
    for (const entry of services) {
      report.info(`starting ${entry.name} on port ${config.servicePorts[entry.name]}`);
      const child = spawnChild({
        name: entry.name,
        command: process.execPath,
        args: ['--conditions=gatehouse-source', '--import=tsx', 'src/server.ts'],
        cwd: join(repoRoot, entry.dir),
        env: serviceEnv(entry, config, secrets.files, addresses),
        onLine: report.line,
      });
      started.push({ entry, child });
    }

    await wait('mail catcher', `${mailApi}/api/healthz`, mail, 20_000);
    await Promise.all(started.map(({ entry, child }) => wait(entry.name, `${addresses.url(entry.name)}/readyz`, child, 90_000)));

    const upstreams = Object.fromEntries(services.map((s) => [s.name, `127.0.0.1:${config.servicePorts[s.name]}`]));
    const listen = `${config.gatewayHost.includes(':') ? `[${config.gatewayHost}]` : config.gatewayHost}:${config.gatewayPort}`;
    const local = `http://127.0.0.1:${config.gatewayPort}`;
    if (nginxBin) {
      syslog = await accessLogReceiver((line) => report.line('nginx', line, 'stdout'));
      const variables: Record<string, string> = {
        [listenVariable]: listen,
        [accessLogVariable]: `syslog:server=127.0.0.1:${syslog.address().port},tag=nginx,nohostname`,
        ...Object.fromEntries(table.upstreams.map((u) => [u.variable, upstreams[u.service]!])),
      };
      const layout = await prepareNginx(join(config.dataDir, 'nginx'), variables);
      const problem = checkNginxConfig(nginxBin, layout);
      if (problem) throw new StackStartError(`nginx refused the rendered configuration (${layout.dir}):\n${problem}`);
      report.info(`starting nginx (${nginxBin}) on ${listen}`);
      const nginx = spawnChild({
        name: 'nginx',
        command: nginxBin,
        args: nginxArgs(layout),
        cwd: layout.dir,
        env: baseEnv(config.env),
        onLine: report.line,
        stopSignal: 'SIGQUIT',
      });
      await wait('nginx', `${local}${edgeHealthPath}`, nginx, 10_000);
    } else {
      report.info(`starting the Node gateway on ${listen}${config.gateway === 'auto' ? ' (nginx is not installed)' : ''}`);
      gateway = createGateway({ table, upstreams, log: (line) => report.line('gateway', line, 'stdout') });
      await gateway.listen(config.gatewayPort, config.gatewayHost);
    }

    return {
      urls: {
        app: config.publicUrl,
        inbox: `http://localhost:${config.mailWebPort}`,
        mailApi,
        pages: services
          .filter((s) => s.directPage)
          .map((s) => ({ label: s.directPage!, url: `http://localhost:${config.servicePorts[s.name]}` })),
      },
      gateway: gatewayKind,
      failed,
      stop,
    };
  } catch (err) {
    await stop();
    throw err;
  }
}
