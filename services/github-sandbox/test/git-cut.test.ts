// A push whose request is cut off mid-pack: by the client giving up, or by a proxy in front refusing the rest.
import { execFileSync } from 'node:child_process';
import { request } from 'node:http';
import test from 'ava';
import { gitCli, workTree } from '@gatehouse/testkit';
import { bearer, call, startSandbox, tokenFor } from './helpers/sandbox.js';

/** The git processes below this one (http-backend, receive-pack, unpack-objects …). */
function gitDescendants(): string[] {
  const rows = execFileSync('ps', ['-eo', 'pid=,ppid=,args='], { encoding: 'utf8' })
    .trim()
    .split('\n')
    .map((line) => /^\s*(\d+)\s+(\d+)\s+(.*)$/.exec(line)!)
    .map(([, pid, ppid, args]) => ({ pid: Number(pid), ppid: Number(ppid), args: args! }));
  const ours = new Set([process.pid]);
  for (let grew = true; grew;) {
    grew = false;
    for (const row of rows) {
      if (!ours.has(row.ppid) || ours.has(row.pid)) continue;
      ours.add(row.pid);
      grew = true;
    }
  }
  return rows.filter((r) => r.pid !== process.pid && ours.has(r.pid) && /\bgit\b|git-/.test(r.args)).map((r) => r.args);
}

test('a push cut off mid-pack → git stops at once, and the next push goes through', async (t) => {
  const s = await startSandbox(t);
  const token = await tokenFor(s, 'cutter', 'repo');
  const created = await call(`${s.api}/user/repos`, { method: 'POST', headers: bearer(token), json: { name: 'cut' } });
  const cloneUrl = (created.body as { clone_url: string }).clone_url;

  // The commands and the start of a 5-object pack, then the connection is dropped.
  const command = `${'0'.repeat(40)} ${'1'.repeat(40)} refs/heads/main\0 report-status\n`;
  const pkt = `${(command.length + 4).toString(16).padStart(4, '0')}${command}0000`;
  const pack = Buffer.concat([Buffer.from(pkt), Buffer.from('PACK\0\0\0\x02\0\0\0\x05', 'latin1')]);
  const req = request(`${cloneUrl}/git-receive-pack`, {
    method: 'POST',
    headers: {
      authorization: `Basic ${Buffer.from(`x-access-token:${token}`).toString('base64')}`,
      'content-type': 'application/x-git-receive-pack-request',
      'transfer-encoding': 'chunked',
    },
  });
  req.on('error', () => {});
  req.write(pack);
  const deadline = Date.now() + 10_000;
  while (!gitDescendants().some((p) => p.includes('receive-pack')) && Date.now() < deadline)
    await new Promise((r) => setTimeout(r, 50));
  t.true(
    gitDescendants().some((p) => p.includes('receive-pack')),
    'git was reading the pack',
  );
  req.destroy();

  const stopBy = Date.now() + 5000;
  while (gitDescendants().length && Date.now() < stopBy) await new Promise((r) => setTimeout(r, 50));
  t.deepEqual(gitDescendants(), [], 'no git left waiting for the rest of the pack');

  const work = await workTree({ 'a.txt': 'a\n' });
  const push = await gitCli(work, ['push', cloneUrl, 'main'], token);
  t.is(push.code, 0, push.stderr);
});
