// git under the mirror reaches the host the REST client reaches, also for *.localhost
// names, which libcurl would otherwise send to loopback whatever the resolver says.
import { execFile } from 'node:child_process';
import { createServer } from 'node:http';
import { promisify } from 'node:util';
import test from 'ava';
import { remoteConfigFor } from '../src/mirror/git.js';

const run = promisify(execFile);

/** An HTTP server on 127.0.0.2 only: a request to 127.0.0.1 cannot reach it. */
async function listenOnSecondLoopback(seen: string[]) {
  const server = createServer((req, res) => {
    seen.push(`${req.method} ${req.url}`);
    res.writeHead(404).end();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.2', resolve));
  return { server, port: (server.address() as { port: number }).port };
}

test('a *.localhost remote → pinned to what the resolver answers, so git reaches that host', async (t) => {
  const seen: string[] = [];
  const { server, port } = await listenOnSecondLoopback(seen);
  t.teardown(() => server.close());
  const remote = `http://stand-in.localhost:${port}/octo/gatehouse.git`;
  const config = await remoteConfigFor(remote, async () => [{ address: '127.0.0.2', family: 4 }]);
  t.true(config.includes(`http.curloptResolve=stand-in.localhost:${port}:127.0.0.2`));
  await t.throwsAsync(
    run('git', [...config, 'ls-remote', remote], { env: { ...process.env, GIT_TERMINAL_PROMPT: '0' } }),
  );
  t.true(
    seen.some((line) => line.startsWith('GET /octo/gatehouse.git/info/refs')),
    seen.join(', '),
  );
});

test('without the pin, git sends a *.localhost remote to 127.0.0.1 → the host is never reached', async (t) => {
  const seen: string[] = [];
  const { server, port } = await listenOnSecondLoopback(seen);
  t.teardown(() => server.close());
  const remote = `http://stand-in.localhost:${port}/octo/gatehouse.git`;
  await t.throwsAsync(run('git', ['ls-remote', remote], { env: { ...process.env, GIT_TERMINAL_PROMPT: '0' } }));
  t.deepEqual(seen, []);
});

test('other names, and a *.localhost name the resolver does not know → no pin', async (t) => {
  const plain = await remoteConfigFor('https://github.com/octo/gatehouse.git', async () => {
    throw new Error('not asked');
  });
  t.false(plain.some((arg) => arg.startsWith('http.curloptResolve')));
  const unknown = await remoteConfigFor('http://nowhere.localhost/x.git', async () => {
    throw Object.assign(new Error('ENOTFOUND'), { code: 'ENOTFOUND' });
  });
  t.false(unknown.some((arg) => arg.startsWith('http.curloptResolve')));
  const v6 = await remoteConfigFor('https://gh.localhost/x.git', async () => [{ address: '::1', family: 6 }]);
  t.true(v6.includes('http.curloptResolve=gh.localhost:443:[::1]'));
});
