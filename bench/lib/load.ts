import { Agent, request } from 'node:http';

export interface LoadResult {
  requests: number;
  errors: number;
  seconds: number;
  perSecond: number;
  p50Ms: number;
  p99Ms: number;
  statuses: Record<number, number>;
}

export interface Call {
  method: string;
  path: string;
  headers?: Record<string, string>;
  body?: string;
}

/**
 * Closed-loop load: `concurrency` clients each send a request, wait for the
 * answer, and send the next, for `seconds`. Keep-alive sockets, as nginx
 * keeps to its upstreams. `next(client)` builds each request; `onReply` sees
 * each answer (for chains such as refresh-token rotation).
 */
export async function load(options: {
  base: string;
  concurrency: number;
  seconds: number;
  next: (client: number) => Call;
  onReply?: (client: number, status: number, body: string) => void;
  ok?: (status: number) => boolean;
}): Promise<LoadResult> {
  const url = new URL(options.base);
  const agent = new Agent({ keepAlive: true, maxSockets: options.concurrency });
  const latencies: number[] = [];
  const statuses: Record<number, number> = {};
  let errors = 0;
  const ok = options.ok ?? ((s: number) => s < 400);
  const started = performance.now();
  const deadline = started + options.seconds * 1000;
  const client = async (id: number) => {
    while (performance.now() < deadline) {
      const call = options.next(id);
      const t0 = performance.now();
      const { status, body } = await send(agent, url, call).catch(() => ({ status: 0, body: '' }));
      latencies.push(performance.now() - t0);
      statuses[status] = (statuses[status] ?? 0) + 1;
      if (!ok(status)) errors++;
      options.onReply?.(id, status, body);
    }
  };
  await Promise.all(Array.from({ length: options.concurrency }, (_, i) => client(i)));
  const seconds = (performance.now() - started) / 1000;
  agent.destroy();
  latencies.sort((a, b) => a - b);
  const pick = (q: number) => latencies[Math.min(latencies.length - 1, Math.floor(q * latencies.length))] ?? 0;
  return {
    requests: latencies.length,
    errors,
    seconds,
    perSecond: (latencies.length - errors) / seconds,
    p50Ms: pick(0.5),
    p99Ms: pick(0.99),
    statuses,
  };
}

export function send(agent: Agent, base: URL, call: Call): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request(
      { host: base.hostname, port: base.port, method: call.method, path: call.path, agent, headers: call.headers },
      (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (chunk) => (body += chunk));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
      },
    );
    req.on('error', reject);
    req.end(call.body);
  });
}

export const json = (method: string, path: string, body: unknown, headers: Record<string, string> = {}): Call => ({
  method,
  path,
  headers: { 'content-type': 'application/json', ...headers },
  body: JSON.stringify(body),
});

/** Rounds of one measurement as one: their requests over their time, and the worst round's percentiles. */
export function combineRounds(results: readonly LoadResult[]): LoadResult {
  const statuses: Record<number, number> = {};
  for (const r of results)
    for (const [status, n] of Object.entries(r.statuses))
      statuses[Number(status)] = (statuses[Number(status)] ?? 0) + n;
  const requests = results.reduce((sum, r) => sum + r.requests, 0);
  const seconds = results.reduce((sum, r) => sum + r.seconds, 0);
  return {
    requests,
    errors: results.reduce((sum, r) => sum + r.errors, 0),
    seconds,
    perSecond: requests / seconds,
    p50Ms: Math.max(...results.map((r) => r.p50Ms)),
    p99Ms: Math.max(...results.map((r) => r.p99Ms)),
    statuses,
  };
}
