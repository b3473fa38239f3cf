import test from 'ava';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { request } from 'node:http';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';

const fixture = fileURLToPath(new URL('fixtures/example-server.ts', import.meta.url));

function get(url: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    request(url, { agent: false }, (res) => {
      let body = '';
      res.on('data', (c) => (body += c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    })
      .on('error', reject)
      .end();
  });
}

test('SIGTERM with 50 slow requests in flight → all finish 200, new connections are refused, exit 0', async (t) => {
  const child = spawn(process.execPath, [...process.execArgv, fixture], { stdio: ['ignore', 'pipe', 'inherit'] });
  // runService's first log line says where it listens.
  const [line] = (await once(createInterface({ input: child.stdout }), 'line')) as [string];
  const { url, msg } = JSON.parse(line) as { url: string; msg: string };
  t.is(msg, 'listening');
  const inFlight = Array.from({ length: 50 }, () => get(`${url}/slow?ms=1500`));
  // SIGTERM only once the server holds all 50: on a loaded machine some may still sit in the accept queue.
  let held = 0;
  for (let i = 0; i < 500 && held < 50; i++) {
    held = (JSON.parse((await get(`${url}/slow/in-flight`)).body) as { count: number }).count;
    if (held < 50) await new Promise((resolve) => setTimeout(resolve, 10));
  }
  t.is(held, 50, 'all 50 slow requests reached the server before SIGTERM');
  const exited = once(child, 'exit');
  child.kill('SIGTERM');
  await new Promise((resolve) => setTimeout(resolve, 100));
  await t.throwsAsync(get(`${url}/healthz`), { code: 'ECONNREFUSED' });
  const results = await Promise.all(inFlight);
  t.deepEqual(
    results.map((r) => r.status),
    Array(50).fill(200),
  );
  const [code] = (await exited) as [number];
  t.is(code, 0);
});
