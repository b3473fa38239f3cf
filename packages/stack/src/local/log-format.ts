/**
 * One readable line per pino JSON line, for people watching `npm start`.
 * Anything that is not pino JSON passes through unchanged.
 */
const levelNames: Record<string | number, string> = {
  10: 'trace',
  20: 'debug',
  30: 'info',
  40: 'warn',
  50: 'error',
  60: 'fatal',
};
const skip = new Set(['level', 'time', 'msg', 'service', 'pid', 'hostname', 'req_id']);

export function formatLogLine(line: string): string {
  if (!line.startsWith('{')) return line;
  let entry: Record<string, unknown>;
  try {
    entry = JSON.parse(line) as Record<string, unknown>;
  } catch {
    return line;
  }
  const level = String(levelNames[entry.level as number] ?? entry.level ?? 'info');
  const time = typeof entry.time === 'string' ? entry.time.slice(11, 19) : '';
  const msg = String(entry.msg ?? '');
  if (msg === 'request' && entry.method !== undefined) {
    return `${time} ${level.padEnd(5)} ${entry.method} ${entry.path} → ${entry.status} ${entry.ms}ms`;
  }
  // An error's stack reads better on lines of its own than inside JSON.
  const err = entry.err as { message?: string; stack?: string } | undefined;
  const stack = err && typeof err === 'object' && typeof err.stack === 'string' ? err.stack : undefined;
  const rest = Object.entries(entry)
    .filter(([k]) => !skip.has(k) && !(k === 'err' && stack))
    .map(([k, v]) => `${k}=${typeof v === 'string' ? v : JSON.stringify(v)}`);
  const head = `${time} ${level.padEnd(5)} ${msg}${rest.length ? ` ${rest.join(' ')}` : ''}`;
  return stack ? `${head}\n${stack}` : head;
}
