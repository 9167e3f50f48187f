// The processes are separate: while a job runs, bpps shows every master daemon and the job's
// bpbrm, bptm (parent and child), bpbkar; the bptm buffer file lives in /dev/shm only while it runs.
// The job backs up a 5 GiB file (sparse on the source; beyond 32-bit sizes) and restores it exactly.

import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import crypto from 'node:crypto';
import { processesOfHome } from '../helpers/open-files.js';
import { OpenbpHome } from '../helpers/openbp-home.js';
import { normalBuffers, slowBuffers, writeRealData } from '../helpers/slow-job.js';

const SIZE = 5 * 1024 * 1024 * 1024 + 12345;

/** A bptm buffer file of one of the given bptm processes (other tests' homes run jobs too). */
function ours(name: string, pids: Set<number>): boolean {
  const m = /^openbp-bptm-\d+-(\d+)\.buf$/.exec(name);
  return m !== null && pids.has(Number(m[1]));
}

function digestOfEnds(file: string): string {
  const fd = fs.openSync(file, 'r');
  try {
    const h = crypto.createHash('sha256');
    const buf = Buffer.alloc(1 << 20);
    for (const pos of [0, SIZE - (1 << 20)]) {
      const n = fs.readSync(fd, buf, 0, buf.length, pos);
      h.update(buf.subarray(0, n));
    }
    h.update(String(fs.fstatSync(fd).size));
    return h.digest('hex');
  } finally {
    fs.closeSync(fd);
  }
}

describe('separate processes', () => {
  let home: OpenbpHome;
  let data: string;
  let out: string;

  beforeAll(() => {
    home = OpenbpHome.create();
    data = fs.mkdtempSync(path.join(os.tmpdir(), 'obpsparse-'));
    out = fs.mkdtempSync(path.join(os.tmpdir(), 'obpsparseout-'));
    const file = path.join(data, 'big.sparse');
    const fd = fs.openSync(file, 'w');
    fs.writeSync(fd, crypto.randomBytes(1 << 20), 0, 1 << 20, 0);
    fs.writeSync(fd, crypto.randomBytes(1 << 20), 0, 1 << 20, SIZE - (1 << 20));
    fs.closeSync(fd);
    // Sparse files back up in no time: real data through a tiny ring keeps the job running to be seen.
    writeRealData(path.join(data, 'real.bin'), 48);
    slowBuffers(home);
  });

  afterAll(async () => {
    await home.destroy();
    fs.rmSync(data, { recursive: true, force: true });
    fs.rmSync(out, { recursive: true, force: true });
  });

  it('shows daemons and per-job processes in bpps during a backup, and cleans /dev/shm', async () => {
    await home.ok('bp.start_all');
    const backup = home.run('bpbackup', ['-w', data]);
    const seen = new Set<string>();
    let shmSeen = false;
    const bptmPids = new Set<number>();
    const deadline = Date.now() + 90_000;
    let finished = false;
    void backup.then(() => (finished = true));
    // Catch the job's processes straight from /proc (fast), hold bpbkar still with SIGSTOP so the job cannot
    // end meanwhile, and then ask bpps what it sees.
    let stopped: number | undefined;
    while (!finished && Date.now() < deadline && stopped === undefined) {
      // A process counts once it has taken its title (bpps reads /proc/<pid>/comm), not while node is still starting.
      const procs = processesOfHome(home.root).filter((p) => titleOf(p.pid) === p.name);
      const kar = procs.find((p) => p.name === 'bpbkar');
      if (kar && procs.filter((p) => p.name === 'bptm').length >= 2 && procs.some((p) => p.name === 'bpbrm')) {
        process.kill(kar.pid, 'SIGSTOP');
        stopped = kar.pid;
      } else {
        await new Promise((r) => setTimeout(r, 10));
      }
    }
    expect(stopped).toBeDefined();
    try {
      const ps = await home.run('bpps', ['--json']);
      const procs = (JSON.parse(ps.stdout) as { processes: Array<{ name: string; pid: number }> }).processes;
      for (const p of procs) seen.add(p.name);
      for (const p of procs.filter((x) => x.name === 'bptm')) bptmPids.add(p.pid);
      shmSeen = fs.readdirSync('/dev/shm').some((f) => ours(f, bptmPids));
    } finally {
      process.kill(stopped!, 'SIGCONT');
    }
    const r = await backup;
    expect(r.code).toBe(0);
    for (const d of ['bprd', 'nbpem', 'nbjm', 'nbrb', 'nbemm', 'bpjobd', 'bpdbm', 'bpbrm', 'bpbkar', 'bptm']) expect([d, seen.has(d)]).toEqual([d, true]);
    expect(bptmPids.size).toBeGreaterThanOrEqual(2); // parent and child
    expect(shmSeen).toBe(true);
    expect(fs.readdirSync('/dev/shm').filter((f) => ours(f, bptmPids))).toEqual([]);
  });

  it('restores the 5 GiB file exactly', async () => {
    normalBuffers(home);
    const rename = home.path('rename');
    fs.writeFileSync(rename, `change ${data} to ${out}\n`);
    const r = await home.run('bprestore', ['-w', '-R', rename, data]);
    expect(r.code).toBe(0);
    expect(fs.statSync(path.join(out, 'big.sparse')).size).toBe(SIZE);
    expect(digestOfEnds(path.join(out, 'big.sparse'))).toBe(digestOfEnds(path.join(data, 'big.sparse')));
  });
});

/** A process's title as bpps sees it (/proc/<pid>/comm); '' once it is gone. */
function titleOf(pid: number): string {
  try {
    return fs.readFileSync(`/proc/${pid}/comm`, 'latin1').trim();
  } catch {
    return '';
  }
}
