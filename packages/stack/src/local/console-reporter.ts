import { formatLogLine } from './log-format.js';
import type { StackReporter } from './stack-reporter.js';

const palette = [36, 35, 33, 32, 34, 91, 96, 95];

/**
 * Lines of every part of the stack on one terminal, each prefixed with its
 * name (coloured on a terminal, unless NO_COLOR is set).
 */
export function consoleReporter(options: {
  format: 'pretty' | 'json';
  color: boolean;
  write?: (text: string) => void;
}): StackReporter {
  const write = options.write ?? ((text: string) => process.stdout.write(text));
  const colors = new Map<string, number>();
  const width = 9;
  const prefix = (part: string) => {
    const label = part.padEnd(width);
    if (!options.color) return `${label}│ `;
    if (!colors.has(part)) colors.set(part, palette[colors.size % palette.length]!);
    return `\x1b[${colors.get(part)}m${label}\x1b[0m│ `;
  };
  return {
    info: (text) =>
      write(
        text
          .split('\n')
          .map((l) => `${prefix('gatehouse')}${l}\n`)
          .join(''),
      ),
    line: (part, line) => {
      const text = options.format === 'pretty' ? formatLogLine(line) : line;
      write(
        text
          .split('\n')
          .map((l) => `${prefix(part)}${l}\n`)
          .join(''),
      );
    },
  };
}
