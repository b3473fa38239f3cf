import type { Env } from '@gatehouse/service-kit';
import type { ServiceEntry } from '../service-entry.js';
import { StackStartError } from './stack-reporter.js';

export interface LocalSelection {
  /** The services the local run starts. */
  services: readonly ServiceEntry[];
  /** Variables passed to every service as the caller exported them, over links and generated secrets. */
  exported: Record<string, string>;
  /** Stand-ins left out because the caller points at the real host. */
  replaced: string[];
}

/**
 * Which services the local run starts. A stand-in whose real-host variables
 * (e.g. GITHUB_OAUTH_URL, GITHUB_API_URL, GITHUB_CLIENT_ID,
 * GITHUB_CLIENT_SECRET) are all exported is left out, and those variables win
 * over the stand-in's defaults; some but not all of them is refused, since a
 * mix of the real host and the stand-in can only fail later and obscurely.
 */
export function selectLocalServices(services: readonly ServiceEntry[], env: Env): LocalSelection {
  const exported: Record<string, string> = {};
  const replaced: string[] = [];
  for (const entry of services) {
    if (!entry.standIn) continue;
    const variables = entry.standIn.realHostVariables;
    const set = variables.filter((name) => env[name]);
    if (set.length === 0) continue;
    const missing = variables.filter((name) => !env[name]);
    if (missing.length) {
      throw new StackStartError(
        `${set.join(', ')} ${set.length === 1 ? 'is' : 'are'} set but ${missing.join(', ')} ${
          missing.length === 1 ? 'is' : 'are'
        } not: export all of ${variables.join(', ')} to use the real host instead of the ${entry.name} ` +
          'stand-in, or none of them.',
      );
    }
    for (const name of variables) exported[name] = env[name]!;
    replaced.push(entry.name);
  }
  return { services: services.filter((s) => !replaced.includes(s.name)), exported, replaced };
}
