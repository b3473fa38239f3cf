/**
 * envsubst as the official nginx image runs it (`envsubst "$defined_envs"`):
 * `$NAME` and `${NAME}` are replaced for the names given, everything else,
 * nginx's own `$host` and friends included, is left exactly as written.
 */
export function renderTemplate(text: string, variables: Record<string, string | undefined>): string {
  return text.replace(/\$(?:\{([A-Za-z_][A-Za-z0-9_]*)\}|([A-Za-z_][A-Za-z0-9_]*))/g, (match, braced?: string, bare?: string) => {
    const value = variables[(braced ?? bare)!];
    return value === undefined ? match : value;
  });
}

/** The template variables a text uses (either spelling), for checks. */
export function templateVariables(text: string): string[] {
  const names = new Set<string>();
  for (const match of text.matchAll(/\$\{([A-Z_][A-Z0-9_]*)\}/g)) names.add(match[1]!);
  return [...names].sort();
}
