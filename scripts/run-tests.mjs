#!/usr/bin/env node
// Runs every workspace's ava tests under c8 and ends with one plain summary
// line. Under CI=true a skipped or todo test fails the run: a green CI must
// mean every test ran.
import { spawn } from 'node:child_process';

const args = ['c8', 'ava', ...process.argv.slice(2)];
const child = spawn('npx', ['--no-install', ...args], { stdio: ['ignore', 'pipe', 'inherit'] });
let output = '';
child.stdout.on('data', (chunk) => {
  process.stdout.write(chunk);
  output += chunk.toString();
});
const code = await new Promise((resolve) => child.on('close', resolve));

const count = (re) => Number(re.exec(output)?.[1] ?? 0);
const passed = count(/(\d+) tests? passed/) || (output.match(/^\s+✔ /gm) ?? []).length;
const failed = count(/(\d+) tests? failed/) + count(/(\d+) uncaught exceptions?/) + count(/(\d+) unhandled rejections?/);
const skipped = count(/(\d+) tests? skipped/) + count(/(\d+) tests? todo/);
console.log(`\ntests: ${passed} passed, ${failed} failed, ${skipped} skipped`);
if (code !== 0) process.exit(code ?? 1);
if (process.env.CI === 'true' && skipped > 0) {
  console.error(`CI: ${skipped} test(s) skipped or todo; every test must run in CI.`);
  process.exit(1);
}
if (passed === 0) {
  console.error('No test ran.');
  process.exit(1);
}
