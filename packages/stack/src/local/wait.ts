import { createSocket, type Socket as UdpSocket } from 'node:dgram';
import type { ManagedChild, ExitInfo } from './child.js';
import { StackStartError, type StackReporter } from './stack-reporter.js';

interface WaitOptions {
  what: string;
  url: string;
  child: ManagedChild;
  timeoutMs: number;
  report: StackReporter;
  failed: Promise<ExitInfo>;
  signal: AbortSignal | undefined;
}

/** Polls `url` until it answers 2xx, the process dies, time runs out or we are interrupted. */
export async function waitFor({ what, url, child, timeoutMs, report, failed, signal }: WaitOptions): Promise<void> {
  const started = performance.now();
  let gone: ExitInfo | undefined;
  void failed.then((info) => {
    if (info.name === child.name) gone = info;
  });
  let lastProblem = '';
  while (performance.now() - started < timeoutMs) {
    if (signal?.aborted) throw new StackStartError(`interrupted while waiting for ${what}`);
    if (gone || !child.running) {
      throw new StackStartError(`${what} exited during start-up (code ${gone?.code ?? '?'}); its output is above.`);
    }
    try {
      const response = await fetch(url, { signal: AbortSignal.timeout(2000) });
      await response.body?.cancel();
      if (response.ok) {
        report.info(`${what} is ready (${((performance.now() - started) / 1000).toFixed(1)} s)`);
        return;
      }
      lastProblem = `HTTP ${response.status}`;
    } catch (err) {
      lastProblem = (err as Error).message;
    }
    await new Promise((r) => setTimeout(r, 150));
  }
  throw new StackStartError(
    `${what} did not become ready at ${url} within ${timeoutMs / 1000} s (last answer: ${lastProblem}).`,
  );
}

/** nginx's access lines arrive as syslog datagrams: "<190>Nov 21 10:00:00 nginx: <line>". */
export function accessLogReceiver(onLine: (line: string) => void): Promise<UdpSocket> {
  return new Promise((resolve, reject) => {
    const socket = createSocket('udp4');
    socket.on('message', (message) =>
      onLine(
        message
          .toString('utf8')
          .replace(/^<\d+>.*? nginx: /, '')
          .trimEnd(),
      ),
    );
    socket.once('error', reject);
    socket.bind(0, '127.0.0.1', () => resolve(socket));
  });
}
