import type { StackConfig } from '../config.js';
import { servicePortVariable } from '../config.js';
import { findNginx } from '../nginx/local-nginx.js';
import type { ServiceEntry } from '../service-entry.js';
import { takenPorts, type PortClaim } from './ports.js';
import { StackStartError } from './stack-reporter.js';

/** The nginx binary to run, or undefined for the Node gateway; refuses GATEHOUSE_GATEWAY=nginx without one. */
export function chooseNginx(config: StackConfig): string | undefined {
  const nginxBin =
    config.gateway === 'node' ? undefined : findNginx({ nginxBin: config.nginxBin, path: config.env.PATH });
  if (config.gateway === 'nginx' && !nginxBin) {
    throw new StackStartError(
      'GATEHOUSE_GATEWAY=nginx but no nginx binary was found (PATH, /usr/sbin). Install nginx, set NGINX_BIN, or use GATEHOUSE_GATEWAY=node.',
    );
  }
  return nginxBin;
}

/** Every port the run will bind, checked before anything starts: each named with the variable that moves it. */
export async function checkPorts(
  config: StackConfig,
  services: readonly ServiceEntry[],
  frontDoor: 'nginx' | 'node',
): Promise<void> {
  const claims: PortClaim[] = [
    {
      what: `the front door, ${frontDoor}`,
      host: config.gatewayHost,
      port: config.gatewayPort,
      variable: 'GATEWAY_PORT',
    },
    ...services.map((s) => ({
      what: s.standIn ? `the ${s.name} stand-in's host, ${frontDoor}` : `the ${s.name} service`,
      host: '127.0.0.1',
      port: config.servicePorts[s.name]!,
      variable: servicePortVariable(s.name),
    })),
    { what: 'the mail inbox', host: '127.0.0.1', port: config.mailWebPort, variable: 'MAIL_WEB_PORT' },
    {
      what: "the mail catcher's SMTP server",
      host: '127.0.0.1',
      port: config.mailSmtpPort,
      variable: 'MAIL_SMTP_PORT',
    },
  ];
  const duplicates = claims.filter((c, i) => claims.findIndex((d) => d.port === c.port) !== i);
  if (duplicates.length) {
    throw new StackStartError(
      `Port ${duplicates[0]!.port} is configured twice (${duplicates[0]!.variable}); give every part its own port.`,
    );
  }
  const taken = await takenPorts(claims);
  if (taken.length) {
    const lines = taken.map(
      (c) => `  - port ${c.port} (${c.what}) is already in use: set ${c.variable}=<another port>`,
    );
    throw new StackStartError(
      `Cannot start: some ports are taken.\n${lines.join('\n')}\n(Another \`npm start\` still running?)`,
    );
  }
}
