// SIGKILL of each per-job process in the middle of a backup: the job ends with a status, no half image
// is listed, its fragments and the /dev/shm buffer are gone, and the next backup succeeds.

import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { OpenbpHome } from '../helpers/openbp-home.js';
import { slowBuffers, writeRealData } from '../helpers/slow-job.js';

interface Proc {
  name: string;
  pid: number;
  ppid: number;
}


describe('killing job processes mid-backup', () => {
  let home: OpenbpHome;
  let data: string;
  let small: string;

  beforeAll(async () => {
    home = OpenbpHome.create();
    data = fs.mkdtempSync(path.join(os.tmpdir(), 'obpkill-'));
    writeRealData(path.join(data, 'big'), 160);
    small = path.join(data, 'small.txt');
    fs.writeFileSync(small, 'next backup\n');
    // Tiny buffers and small fragments: the job spends its time in the ring and writes several fragments.
    slowBuffers(home);
    await home.ok('bp.start_all');
    await home.ok('bpsturep', ['-label', 'openbp-default-disk', '-mfs', '32']);
  });

  afterAll(async () => {
    await home.destroy();
    fs.rmSync(data, { recursive: true, force: true });
  });

  /** A file's size, 0 when it is gone already. */
  function sizeOf(file: string): number {
    try {
      return fs.statSync(file).size;
    } catch {
      return 0;
    }
  }

  async function procs(): Promise<Proc[]> {
    const r = await home.ok('bpps', ['--json']);
    return (JSON.parse(r.stdout) as { processes: Proc[] }).processes;
  }

  const victims: Array<[string, (ps: Proc[]) => Proc | undefined, number[]]> = [
    ['bpbkar', (ps) => ps.find((p) => p.name === 'bpbkar'), [50, 40, 84]],
    ['bptm parent', (ps) => ps.find((p) => p.name === 'bptm' && ps.some((c) => c.name === 'bptm' && c.ppid === p.pid)), [84, 50, 40]],
    ['bptm child', (ps) => ps.find((p) => p.name === 'bptm' && ps.some((q) => q.name === 'bptm' && q.pid === p.ppid)), [84, 50, 40]],
    ['bpbrm', (ps) => ps.find((p) => p.name === 'bpbrm'), [50, 40]],
  ];

  it.each(victims)("%s", async (label, pick, statuses) => {
    const before = (await home.run('bpimagelist', ['-l'])).stdout.split('\n').filter((l) => l.startsWith('IMAGE ')).length;
    const backup = home.run('bpbackup', ['-w', data]);
    let victim: Proc | undefined;
    const deadline = Date.now() + 30_000;
    while (!victim && Date.now() < deadline) {
      const ps = await procs();
      // Wait until the data flows (a fragment file has bytes: the child has filled ring slots, so both bptm processes
      // are past setting up the buffer) so the kill lands mid-stream, not in the child's start (status 89).
      const writing = fs.readdirSync(home.path('stu', 'default')).some((f) => (f.endsWith('.part') || f.endsWith('.img')) && sizeOf(home.path('stu', 'default', f)) > 0);
      if (writing && ps.some((p) => p.name === 'bpbkar') && ps.filter((p) => p.name === 'bptm').length >= 2) victim = pick(ps);
      if (!victim) await new Promise((r) => setTimeout(r, 50));
    }
    expect(victim).toBeDefined();
    const shmOfJob = fs.readdirSync('/dev/shm').filter((f) => /^openbp-bptm-\d+-\d+\.buf$/.test(f) && (f.endsWith(`-${victim!.pid}.buf`) || f.endsWith(`-${victim!.ppid}.buf`)));
    process.kill(victim!.pid, 'SIGKILL');
    const r = await home.within(backup, 60_000, `bpbackup -w after killing ${label}`);
    expect(statuses).toContain(r.code);
    expect(r.stderr).toMatch(new RegExp(`EXIT STATUS ${r.code}: `));
    const listing = (await home.run('bpimagelist', ['-l'])).stdout.split('\n');
    expect(listing.filter((l) => l.startsWith('IMAGE ')).length).toBe(before);
    // The unit holds exactly the fragments of the images the catalogue lists: nothing of the killed one.
    const catalogued = listing.filter((l) => l.startsWith('FRAG ')).map((l) => path.basename(l.split(' ')[8]!)).sort();
    const left = fs.readdirSync(home.path('stu', 'default')).filter((f) => !f.startsWith('.')).sort();
    expect(left).toEqual(catalogued);
    for (const f of shmOfJob) expect(fs.existsSync(path.join('/dev/shm', f))).toBe(false);
    expect(await procs()).not.toContainEqual(expect.objectContaining({ name: 'bptm' }));
    const next = await home.within(home.run('bpbackup', ['-w', small]), 40_000, 'the next backup');
    expect(next.code).toBe(0);
  });
});
