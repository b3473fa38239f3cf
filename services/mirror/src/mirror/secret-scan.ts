import { readFile, lstat } from 'node:fs/promises';
import { join } from 'node:path';

/** Shapes of credentials that must never be published. Names only ever reach messages, never the match. */
const patterns: { name: string; re: RegExp; random?: boolean }[] = [
  { name: 'private key', re: /-----BEGIN (?:[A-Z0-9]+ )*PRIVATE KEY(?: BLOCK)?-----/ },
  { name: 'GitHub token', re: /\bgh[pousr]_[A-Za-z0-9]{36,}\b/, random: true },
  { name: 'GitHub fine-grained token', re: /\bgithub_pat_[A-Za-z0-9_]{60,}\b/, random: true },
  { name: 'AWS access key id', re: /\b(?:AKIA|ASIA)[0-9A-Z]{16}\b/, random: true },
  { name: 'Slack token', re: /\bxox[abposr]-[A-Za-z0-9-]{10,}\b/, random: true },
  { name: 'Google API key', re: /\bAIza[0-9A-Za-z_-]{35}\b/, random: true },
  { name: 'Stripe secret key', re: /\b[sr]k_live_[0-9A-Za-z]{20,}\b/, random: true },
];

/**
 * A generated credential is random; a test's stand-in value (`gho_notarealtoken000…`)
 * is not. Few distinct characters means a placeholder, not a leak.
 */
const looksRandom = (value: string) => new Set(value.replace(/^[a-z]+_|^[A-Z]{4}/, '')).size >= 12;

export interface SecretFinding {
  path: string;
  line: number;
  kind: string;
}

/** Scans every file; a finding refuses the whole mirror. Symlinks are not followed. */
export async function scanForSecrets(dir: string, files: readonly string[]): Promise<SecretFinding[]> {
  const findings: SecretFinding[] = [];
  for (const path of files) {
    const full = join(dir, path);
    if ((await lstat(full)).isSymbolicLink()) continue;
    const text = (await readFile(full)).toString('latin1');
    for (const { name, re, random } of patterns) {
      for (const match of text.matchAll(new RegExp(re.source, 'g'))) {
        if (random && !looksRandom(match[0])) continue;
        findings.push({ path, line: text.slice(0, match.index).split('\n').length, kind: name });
        break;
      }
    }
  }
  return findings;
}
