import { Writable } from 'node:stream';
import { createLogger, type Logger } from '@gatehouse/service-kit';

export interface CapturedLogs {
  logger: Logger;
  /** Every line written so far, parsed. */
  lines(): Record<string, unknown>[];
  /** The raw text, to search for a secret that must not be there. */
  text(): string;
}

/** A real pino logger (redaction included) whose output a test can read back. */
export function captureLogs(service = 'test'): CapturedLogs {
  const chunks: string[] = [];
  const destination = new Writable({
    write(chunk: Buffer, _encoding, callback) {
      chunks.push(chunk.toString());
      callback();
    },
  });
  const logger = createLogger({ service, level: 'debug', destination });
  const text = () => chunks.join('');
  return {
    logger,
    text,
    lines: () =>
      text()
        .split('\n')
        .filter(Boolean)
        .map((line) => JSON.parse(line) as Record<string, unknown>),
  };
}
