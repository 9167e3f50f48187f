// SIGKILL of each master daemon in the middle of a backup: the job still ends with a status (never
// active forever), no half image is listed, the unit holds only catalogued fragments, the daemons
// come back with the next command, and the next backup and a restore of an earlier image succeed.

import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import crypto from 'node:crypto';
import { OpenbpHome } from '../helpers/openbp-home.js';
import { compareTrees } from '../helpers/compare-trees.js';
import { slowBuffers, writeRealData } from '../helpers/slow-job.js';


describe('killing master daemons mid-backup', () => {
  let home: OpenbpHome;
  let data: string;
  let keep: string;

  beforeAll(async () => {
    home = OpenbpHome.create();
    data = fs.mkdtempSync(path.join(os.tmpdir(), 'obpkilld-'));
    writeRealData(path.join(data, 'big'), 80);
    keep = fs.mkdtempSync(path.join(os.tmpdir(), 'obpkeep-'));
    fs.writeFileSync(path.join(keep, 'precious.bin'), crypto.randomBytes(100_000));
    await home.ok('bp.start_all');
    await home.ok('bpsturep', ['-label', 'openbp-default-disk', '-mfs', '32']);
    expect((await home.run('bpbackup', ['-w', keep])).code).toBe(0);
    slowBuffers(home);
  });

  afterAll(async () => {
    await home.destroy();
    fs.rmSync(data, { recursive: true, force: true });
    fs.rmSync(keep, { recursive: true, force: true });
  });

  // What each death may do to the job: daemons the running job no longer needs leave it at 0.
  const cases: Array<[string, number[]]> = [
    ['bprd', [0]],
    ['nbpem', [0]],
    ['nbemm', [0]],
    ['nbrb', [0]],
    ['nbjm', [0]],
    ['bpjobd', [0]],
    ['bpdbm', [0, 40, 42, 220]],
  ];

  it.each(cases)('%s', async (daemon, statuses) => {
    const backup = home.run('bpbackup', ['-w', data]);
    const deadline = Date.now() + 30_000;
    let killed = false;
    while (!killed && Date.now() < deadline) {
      const writing = fs.readdirSync(home.path('stu', 'default')).some((f) => f.endsWith('.part'));
      if (writing) {
        const pid = Number(fs.readFileSync(home.path('run', `${daemon}.pid`), 'utf8'));
        process.kill(pid, 'SIGKILL');
        killed = true;
      } else await new Promise((r) => setTimeout(r, 50));
    }
    expect(killed).toBe(true);
    const r = await home.within(backup, 60_000, `bpbackup -w after killing ${daemon}`);
    expect([daemon, statuses.includes(r.code) ? 'ok' : `status ${r.code}: ${r.stderr}`]).toEqual([daemon, 'ok']);
    // The job is closed in bpdbjobs (restarting bpjobd if needed) ...
    const jobs = (await home.ok('bpdbjobs', ['-report', '-most_columns'])).stdout.trim().split('\n').map((l) => l.split(','));
    expect(jobs.filter((j) => j[2] !== '3')).toEqual([]);
    // ... the unit holds exactly the catalogued fragments, nothing half-written.
    const listing = (await home.ok('bpimagelist', ['-l', '-hoursago', '1'])).stdout.split('\n');
    const catalogued = listing.filter((l) => l.startsWith('FRAG ')).map((l) => path.basename(l.split(' ')[8]!)).sort();
    const onDisk = fs.readdirSync(home.path('stu', 'default')).filter((f) => !f.startsWith('.')).sort();
    expect(onDisk).toEqual(catalogued);
    // Every daemon answers again and the earlier image restores.
    const out = fs.mkdtempSync(path.join(os.tmpdir(), 'obpkillout-'));
    try {
      const rename = home.path('rename');
      fs.writeFileSync(rename, `change ${keep} to ${out}\n`);
      expect((await home.run('bprestore', ['-w', '-R', rename, keep])).code).toBe(0);
      expect(await compareTrees(keep, out, { owners: true })).toEqual([]);
    } finally {
      fs.rmSync(out, { recursive: true, force: true });
    }
  });
});
