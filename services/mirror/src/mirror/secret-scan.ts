import { readFile, lstat } from 'node:fs/promises';
import { join } from 'node:path';

/**
 * Shapes of credentials that must never be published. Names only ever reach messages, never the match.
 * No exemptions, not even for "placeholder-looking" values: a real AWS key id (16 base-32 characters) has
 * fewer than 12 distinct characters about one time in six, so any low-entropy allowance lets real keys
 * through. Tests build their fake credentials at run time instead, and a test mirrors Gatehouse's own checkout.
 */
const patterns: { name: string; re: RegExp }[] = [
  { name: 'private key', re: /-----BEGIN (?:[A-Z0-9]+ )*PRIVATE KEY(?: BLOCK)?-----/ },
  { name: 'GitHub token', re: /\bgh[pousr]_[A-Za-z0-9]{36,}\b/ },
  { name: 'GitHub fine-grained token', re: /\bgithub_pat_[A-Za-z0-9_]{60,}\b/ },
  { name: 'AWS access key id', re: /\b(?:AKIA|ASIA)[0-9A-Z]{16}\b/ },
  { name: 'Slack token', re: /\bxox[abposr]-[A-Za-z0-9-]{10,}\b/ },
  { name: 'Google API key', re: /\bAIza[0-9A-Za-z_-]{35}\b/ },
  { name: 'Stripe secret key', re: /\b[sr]k_live_[0-9A-Za-z]{20,}\b/ },
];

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
    for (const { name, re } of patterns) {
      const match = re.exec(text);
      if (match) findings.push({ path, line: text.slice(0, match.index).split('\n').length, kind: name });
    }
  }
  return findings;
}
