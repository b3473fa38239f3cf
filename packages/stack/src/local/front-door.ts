import type { Socket as UdpSocket } from 'node:dgram';
import { join } from 'node:path';
import type { StackConfig } from '../config.js';
import { createGateway, type Gateway } from '../gateway/node-gateway.js';
import { createStandInDoor } from '../gateway/stand-in-door.js';
import { accessLogVariable, listenVariable, resolverVariable } from '../nginx/template-variables.js';
import { internalBalancerConf } from '../nginx/internal-balancer.js';
import { checkNginxConfig, nginxArgs, prepareNginx } from '../nginx/local-nginx.js';
import { edgeHealthPath, type RouteTable } from '../route-table.js';
import type { ManagedChild } from './child.js';
import { baseEnv } from './service-env.js';
import { StackStartError, type StackReporter } from './stack-reporter.js';
import type { Supervisor } from './supervisor.js';
import { accessLogReceiver } from './wait.js';

/** What starting the front door needs: the run's settings, where each service listens, how to wait for readiness. */
export interface FrontDoorContext {
  config: StackConfig;
  table: RouteTable;
  /** host:port of each service's processes (one per replica), by name. */
  upstreams: Record<string, string[]>;
  /** Replicated runs: where nginx balances each service's internal calls (its usual host:port), by name. */
  internalListen?: Record<string, string>;
  report: StackReporter;
  wait(what: string, url: string, child: ManagedChild, timeoutMs: number): Promise<void>;
}

const listenAddress = (config: StackConfig) =>
  `${config.gatewayHost.includes(':') ? `[${config.gatewayHost}]` : config.gatewayHost}:${config.gatewayPort}`;

/**
 * The stand-ins this run starts, each with the address of its door: loopback, like the
 * stand-in's URL (http://localhost:3003), whatever GATEWAY_HOST opens the app to.
 */
function standInDoors({ config, table, upstreams }: FrontDoorContext) {
  return table.standIns
    .filter((door) => upstreams[door.service])
    .map((door) => {
      const port = config.servicePorts[door.service]!;
      return { door, port, listen: `127.0.0.1:${port}`, upstream: upstreams[door.service]![0]! };
    });
}

const doorsNamed = (doors: ReturnType<typeof standInDoors>) =>
  doors.map((d) => `, ${d.door.service}'s host on ${d.listen}`).join('');

/** nginx run as this user from the rendered template; its access lines arrive over a syslog socket, returned for closing. */
export async function startNginx(
  nginxBin: string,
  context: FrontDoorContext,
  supervisor: Supervisor,
): Promise<UdpSocket> {
  const { config, table, report } = context;
  const doors = standInDoors(context);
  const syslog = await accessLogReceiver((line) => report.line('nginx', line, 'stdout'));
  try {
    const variables: Record<string, string | string[]> = {
      [listenVariable]: listenAddress(config),
      [accessLogVariable]: `syslog:server=127.0.0.1:${syslog.address().port},tag=nginx,nohostname`,
      ...Object.fromEntries(table.upstreams.map((u) => [u.variable, context.upstreams[u.service]!])),
      ...Object.fromEntries(
        doors.flatMap((d) => [
          [d.door.listenVariable, d.listen],
          [d.door.upstreamVariable, d.upstream],
        ]),
      ),
      // Never asked: here every upstream is an address, not a name.
      [resolverVariable]: '127.0.0.1',
    };
    const layout = await prepareNginx(join(config.dataDir, 'nginx'), variables, {
      standIns: doors.map((d) => d.door.service),
      extraSites: context.internalListen
        ? { 'internal-balancer.conf': internalBalancerConf(table, context.internalListen) }
        : {},
    });
    const problem = checkNginxConfig(nginxBin, layout);
    if (problem) throw new StackStartError(`nginx refused the rendered configuration (${layout.dir}):\n${problem}`);
    report.info(`starting nginx (${nginxBin}) on ${listenAddress(config)}${doorsNamed(doors)}`);
    const nginx = supervisor.spawn({
      name: 'nginx',
      command: nginxBin,
      args: nginxArgs(layout),
      cwd: layout.dir,
      env: baseEnv(config.env),
      onLine: report.line,
      stopSignal: 'SIGQUIT',
    });
    await context.wait('nginx', `http://127.0.0.1:${config.gatewayPort}${edgeHealthPath}`, nginx, 10_000);
    return syslog;
  } catch (err) {
    syslog.close();
    throw err;
  }
}

/** The Node gateway and the stand-ins' doors, in this process, for machines without nginx; returned for closing. */
export async function startNodeGateway(context: FrontDoorContext): Promise<{ close(): Promise<void> }> {
  const { config, table, upstreams, report } = context;
  const doors = standInDoors(context);
  report.info(
    `starting the Node gateway on ${listenAddress(config)}${doorsNamed(doors)}${config.gateway === 'auto' ? ' (nginx is not installed)' : ''}`,
  );
  const log = (line: string) => report.line('gateway', line, 'stdout');
  const first = Object.fromEntries(Object.entries(upstreams).map(([name, [address]]) => [name, address!]));
  const servers: Gateway[] = [];
  const close = () => Promise.all(servers.map((s) => s.close())).then(() => undefined);
  try {
    servers.push(createGateway({ table, upstreams: first, log }));
    await servers[0]!.listen(config.gatewayPort, config.gatewayHost);
    for (const { door, port, upstream } of doors) {
      servers.push(createStandInDoor({ door, upstream, log }));
      await servers.at(-1)!.listen(port, '127.0.0.1');
    }
  } catch (err) {
    await close();
    throw err;
  }
  return { close };
}
