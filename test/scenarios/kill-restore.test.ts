// SIGKILL of each process a running restore involves: the restore job ends with a status, no file stands
// half-written under its final name, the /dev/shm buffer is gone, the daemons come back, and a re-run
// restore completes byte-identical.

import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { OpenbpHome } from '../helpers/openbp-home.js';
import { compareTrees } from '../helpers/compare-trees.js';
import { normalBuffers, slowRestores, writeRealData } from '../helpers/slow-job.js';
import { processesOfHome, type HomeProcess as Proc } from '../helpers/open-files.js';

describe('killing processes mid-restore', () => {
  let home: OpenbpHome;
  let data: string;
  const outs: string[] = [];

  beforeAll(async () => {
    home = OpenbpHome.create();
    data = fs.mkdtempSync(path.join(os.tmpdir(), 'obpkr-'));
    // Large enough that nbtar is still writing it when the test looks (a restore moves it at several hundred MB/s).
    writeRealData(path.join(data, 'big'), 256);
    fs.writeFileSync(path.join(data, 'small.txt'), 'after the big one\n');
    await home.ok('bp.start_all');
    normalBuffers(home);
    expect((await home.run('bpbackup', ['-w', data])).code).toBe(0);
    slowRestores(home);
  });

  afterAll(async () => {
    await home.destroy();
    fs.rmSync(data, { recursive: true, force: true });
    for (const o of outs) fs.rmSync(o, { recursive: true, force: true });
  });

  const procs = () => processesOfHome(home.root);

  function restoreInto(out: string) {
    const rename = home.path(`${path.basename(out)}.rename`); // in the home: removed with it
    fs.writeFileSync(rename, `change ${data} to ${out}\n`);
    return home.run('bprestore', ['-w', '-R', rename, data]);
  }

  const daemon = (name: string) => () => Number(fs.readFileSync(home.path('run', `${name}.pid`), 'utf8'));
  const jobProc = (pick: (ps: Proc[]) => Proc | undefined) => (ps: Proc[]) => pick(ps)?.pid;
  const parentBptm = (ps: Proc[]) => ps.find((p) => p.name === 'bptm' && ps.some((c) => c.name === 'bptm' && c.ppid === p.pid));
  const childBptm = (ps: Proc[]) => ps.find((p) => p.name === 'bptm' && ps.some((q) => q.name === 'bptm' && q.pid === p.ppid));
  // NetBackup's statuses for a restore that lost a part: 5 restore failed, 24 socket write failed,
  // 40/42 connection broken / read failed, 50 client process aborted, 85 media read error (bptm died); daemons the job no longer needs leave it at 0.
  const cases: Array<[string, (ps: Proc[]) => number | undefined, number[]]> = [
    ['nbtar', jobProc((ps) => ps.find((p) => p.name === 'nbtar')), [5, 24, 50]],
    ['bpbrm', jobProc((ps) => ps.find((p) => p.name === 'bpbrm')), [5, 40, 50]],
    ['bptm parent', jobProc(parentBptm), [85]],
    ['bptm child', jobProc(childBptm), [85]],
    ['bprd', daemon('bprd'), [0]],
    ['nbjm', daemon('nbjm'), [0]],
    ['bpdbm', daemon('bpdbm'), [0]],
  ];

  it.each(cases)('%s', async (label, pick, statuses) => {
    const out = fs.mkdtempSync(path.join(os.tmpdir(), 'obpkr-out-'));
    outs.push(out);
    const restore = restoreInto(out);
    let victim: number | undefined;
    let shm: string[] = [];
    const deadline = Date.now() + 30_000;
    while (victim === undefined && Date.now() < deadline) {
      // Data flows: nbtar is writing big under its temp name.
      const writing = fs.existsSync(out) && fs.readdirSync(out).some((f) => f.startsWith('.obp'));
      const ps = writing ? procs() : [];
      if (writing && ps.some((p) => p.name === 'nbtar') && ps.filter((p) => p.name === 'bptm').length >= 2) {
        const bptms = new Set(ps.filter((p) => p.name === 'bptm').map((p) => p.pid));
        shm = fs.readdirSync('/dev/shm').filter((f) => /^openbp-bptm-\d+-\d+\.buf$/.test(f) && bptms.has(Number(/-(\d+)\.buf$/.exec(f)![1])));
        victim = pick(ps);
        try {
          if (victim !== undefined) process.kill(victim, 'SIGKILL');
        } catch {
          victim = undefined; // it ended between the look and the kill: look again
        }
      }
      if (victim === undefined) await new Promise((r) => setTimeout(r, 10));
    }
    expect(victim).toBeDefined();
    const r = await home.within(restore, 60_000, `bprestore -w after killing ${label}`);
    expect([label, statuses.includes(r.code) ? 'ok' : `status ${r.code}: ${r.stderr}`]).toEqual([label, 'ok']);
    // Nothing half-done under a final name: big is either whole or absent.
    const big = path.join(out, 'big');
    if (fs.existsSync(big)) expect(fs.readFileSync(big).equals(fs.readFileSync(path.join(data, 'big')))).toBe(true);
    for (const f of shm) expect([f, fs.existsSync(path.join('/dev/shm', f))]).toEqual([f, false]);
    // Every job is closed (bpjobd restarted by the command if needed), no job process is left.
    const jobs = (await home.ok('bpdbjobs', ['-report', '-most_columns'])).stdout.trim().split('\n').map((l) => l.split(','));
    expect(jobs.filter((j) => j[2] !== '3')).toEqual([]);
    expect(procs().filter((p) => ['bptm', 'nbtar', 'bpbrm'].includes(p.name))).toEqual([]);
    // A re-run restore completes byte-identical.
    const again = fs.mkdtempSync(path.join(os.tmpdir(), 'obpkr-again-'));
    outs.push(again);
    normalBuffers(home);
    const rerun = await home.within(restoreInto(again), 60_000, `the re-run restore after killing ${label}`);
    slowRestores(home);
    expect([rerun.code, rerun.stderr]).toEqual([0, '']);
    expect(await compareTrees(data, again, { owners: true })).toEqual([]);
  });
});
