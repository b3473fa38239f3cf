/**
 * envsubst as the official nginx image runs it (`envsubst "$defined_envs"`):
 * `$NAME` and `${NAME}` are replaced for the names given, everything else,
 * nginx's own `$host` and friends included, is left exactly as written.
 *
 * One addition for the local run's replicas, which have no DNS name that
 * resolves to all of them: a line using a list-valued variable is repeated
 * once per item (an upstream's `server` line, once per replica).
 */
export function renderTemplate(
  text: string,
  variables: Record<string, string | readonly string[] | undefined>,
): string {
  return text
    .split('\n')
    .flatMap((line) => {
      const list = templateLineNames(line).find((name) => Array.isArray(variables[name]));
      if (list === undefined) return [substitute(line, variables, undefined)];
      // A comment only names the variables: it stays one line, lists joined.
      if (line.trimStart().startsWith('#')) return [substitute(line, joined(variables), undefined)];
      return (variables[list] as readonly string[]).map((item) => substitute(line, variables, { name: list, item }));
    })
    .join('\n');
}

function substitute(
  line: string,
  variables: Record<string, string | readonly string[] | undefined>,
  repeated: { name: string; item: string } | undefined,
): string {
  return line.replace(pattern(), (match, braced?: string, bare?: string) => {
    const name = (braced ?? bare)!;
    if (name === repeated?.name) return repeated.item;
    const value = variables[name];
    if (Array.isArray(value)) throw new Error(`template line uses two list variables: ${line}`);
    return typeof value === 'string' ? value : match;
  });
}

const joined = (variables: Record<string, string | readonly string[] | undefined>) =>
  Object.fromEntries(Object.entries(variables).map(([k, v]) => [k, Array.isArray(v) ? v.join(', ') : v]));

const pattern = () => /\$(?:\{([A-Za-z_][A-Za-z0-9_]*)\}|([A-Za-z_][A-Za-z0-9_]*))/g;

function templateLineNames(line: string): string[] {
  return [...line.matchAll(pattern())].map((m) => (m[1] ?? m[2])!);
}

/** The template variables a text uses (either spelling), for checks. */
export function templateVariables(text: string): string[] {
  const names = new Set<string>();
  for (const match of text.matchAll(/\$\{([A-Z_][A-Z0-9_]*)\}/g)) names.add(match[1]!);
  return [...names].sort();
}
