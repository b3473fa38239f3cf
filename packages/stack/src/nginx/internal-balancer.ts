import type { RouteTable } from '../route-table.js';

/**
 * The local run's replicas have no DNS name that resolves to all of them, so
 * the services' calls to each other (AUTH_URL=http://127.0.0.1:3001, say) go
 * to nginx on that service's usual port, which balances over the replicas with
 * the template's upstream blocks. Unlike the front door nothing is blocked or
 * rewritten here: the callers' own X-Forwarded-For and credentials pass as
 * sent; streams (the revocation feed) and sockets are not buffered or cut.
 */
export function internalBalancerConf(table: RouteTable, listen: Record<string, string>): string {
  const lines = ["# The local run's replicas: each service's own port balances over its replicas (internal calls).", ''];
  for (const upstream of table.upstreams) {
    const address = listen[upstream.service];
    if (!address) continue;
    lines.push(
      'server {',
      `    listen ${address};`,
      '    access_log off;',
      '    location / {',
      `        proxy_pass http://${upstream.name};`,
      '        proxy_http_version 1.1;',
      '        proxy_set_header Host $http_host;',
      '        proxy_set_header Upgrade $http_upgrade;',
      '        proxy_set_header Connection $gatehouse_connection_upgrade;',
      '        proxy_buffering off;',
      '        proxy_read_timeout 1h;',
      '        proxy_send_timeout 1h;',
      '        proxy_next_upstream error timeout http_502 http_503 http_504;',
      '        proxy_next_upstream_tries 3;',
      '        proxy_connect_timeout 2s;',
      '    }',
      '}',
      '',
    );
  }
  return `${lines.join('\n')}\n`;
}
