import type { Socket as UdpSocket } from 'node:dgram';
import { join } from 'node:path';
import type { StackConfig } from '../config.js';
import { createGateway, type Gateway } from '../gateway/node-gateway.js';
import { accessLogVariable, listenVariable } from '../nginx/generate-nginx.js';
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

/** nginx run as this user from the rendered template; its access lines arrive over a syslog socket, returned for closing. */
export async function startNginx(
  nginxBin: string,
  context: FrontDoorContext,
  supervisor: Supervisor,
): Promise<UdpSocket> {
  const { config, table, report } = context;
  const syslog = await accessLogReceiver((line) => report.line('nginx', line, 'stdout'));
  try {
    const variables: Record<string, string | string[]> = {
      [listenVariable]: listenAddress(config),
      [accessLogVariable]: `syslog:server=127.0.0.1:${syslog.address().port},tag=nginx,nohostname`,
      ...Object.fromEntries(table.upstreams.map((u) => [u.variable, context.upstreams[u.service]!])),
    };
    const internal: Record<string, string> = context.internalListen
      ? { 'internal-balancer.conf': internalBalancerConf(table, context.internalListen) }
      : {};
    const layout = await prepareNginx(join(config.dataDir, 'nginx'), variables, undefined, internal);
    const problem = checkNginxConfig(nginxBin, layout);
    if (problem) throw new StackStartError(`nginx refused the rendered configuration (${layout.dir}):\n${problem}`);
    report.info(`starting nginx (${nginxBin}) on ${listenAddress(config)}`);
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

/** The Node gateway, in this process, for machines without nginx. */
export async function startNodeGateway(context: FrontDoorContext): Promise<Gateway> {
  const { config, table, upstreams, report } = context;
  report.info(
    `starting the Node gateway on ${listenAddress(config)}${config.gateway === 'auto' ? ' (nginx is not installed)' : ''}`,
  );
  const first = Object.fromEntries(Object.entries(upstreams).map(([name, [address]]) => [name, address!]));
  const gateway = createGateway({ table, upstreams: first, log: (line) => report.line('gateway', line, 'stdout') });
  await gateway.listen(config.gatewayPort, config.gatewayHost);
  return gateway;
}
