// `npm start`: the whole stack on this machine, in front of it nginx (or the
// Node gateway), until Ctrl-C.
import { consoleReporter, readStackConfig, services, StackStartError, startStack } from '@gatehouse/stack';

let config;
try {
  config = readStackConfig(services);
} catch (err) {
  process.stderr.write(`${(err as Error).message}\n`);
  process.exit(1);
}
const color = Boolean(process.stdout.isTTY) && !process.env.NO_COLOR;
const report = consoleReporter({ format: config.logFormat, color });

const interrupt = new AbortController();
let firstSignalAt = 0;
const signalled = new Promise<NodeJS.Signals>((resolve) => {
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.on(signal, () => {
      if (interrupt.signal.aborted) {
        // Ctrl-C reaches us twice at once (from the terminal, and forwarded by
        // npm); only a later one means "now".
        if (performance.now() - firstSignalAt < 1000) return;
        report.info('second signal: killing everything now');
        process.exit(130);
      }
      firstSignalAt = performance.now();
      interrupt.abort();
      resolve(signal);
    });
  }
});

let stack;
try {
  stack = await startStack(config, services, report, { signal: interrupt.signal });
} catch (err) {
  if (interrupt.signal.aborted) {
    report.info('interrupted during start-up; everything started so far is stopped');
    process.exit(0);
  }
  report.info(err instanceof StackStartError ? err.message : `start-up failed: ${(err as Error).stack ?? String(err)}`);
  process.exit(1);
}

const pad = (label: string) => label.padEnd(12);
const banner = [
  '',
  `Gatehouse is running (front door: ${stack.gateway}).`,
  `  ${pad('App')}${stack.urls.app}`,
  `  ${pad('Mail inbox')}${stack.urls.inbox}`,
  ...stack.urls.pages.map((p) => `  ${pad(p.label)}${p.url}`),
  `  ${pad('Data')}${config.dataDir}`,
  'Press Ctrl-C to stop.',
  '',
];
for (const line of banner) report.info(line);

const outcome = await Promise.race([signalled, stack.failed]);
if (typeof outcome === 'string') {
  report.info(`${outcome}: stopping (Ctrl-C again to kill everything at once)`);
  await stack.stop();
  report.info('stopped');
  process.exit(0);
}
report.info(
  `${outcome.name} stopped unexpectedly (${outcome.signal ?? `exit code ${outcome.code}`}); stopping the rest`,
);
await stack.stop();
process.exit(1);
