// Load: 30 backups of five client names started at once all end 0 without ever running more jobs
// than MAX_JOBS_PER_CLIENT and the unit's -cj allow; afterwards every job has its image, bpdbjobs and
// bpimagelist agree, one image of each client verifies and restores of two of them match the source
// (verifying all 30 would take a minute of test time).

import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { OpenbpHome } from '../helpers/openbp-home.js';
import { compareTrees } from '../helpers/compare-trees.js';
import type { JobRecord, ImageRecord } from '../../src/protocol/records.js';

const CLIENTS = ['load1', 'load2', 'load3', 'load4', 'load5'];
const PER_CLIENT = 6;
const PER_CLIENT_LIMIT = 2;
const UNIT_LIMIT = 6;

describe('30 backups at once', () => {
  let home: OpenbpHome;
  let data: string;
  let stu: string;
  const outs: string[] = [];

  beforeAll(async () => {
    home = OpenbpHome.create();
    data = fs.mkdtempSync(path.join(os.tmpdir(), 'obpload-'));
    stu = fs.mkdtempSync(path.join(os.tmpdir(), 'obpload-stu-'));
    fs.mkdirSync(path.join(data, 'd'));
    for (let i = 0; i < 20; i++) fs.writeFileSync(path.join(data, 'd', `f${i}.txt`), `file ${i}\n`.repeat(50 * (i + 1)));
    fs.appendFileSync(home.path('bp.conf'), `MAX_JOBS_PER_CLIENT = ${PER_CLIENT_LIMIT}\n`);
    await home.ok('bp.start_all');
    await home.ok('bpstuadd', ['-label', 'loadstu', '-path', stu, '-cj', String(UNIT_LIMIT)]);
    await home.ok('bppolicynew', ['load']);
    await home.ok('bpplinfo', ['load', '-modify', '-residence', 'loadstu']);
    for (const c of CLIENTS) await home.ok('bpplclients', ['load', '-add', c, 'Linux', 'Debian']);
    await home.ok('bpplinclude', ['load', '-add', data]);
    // No window: bpbackup -i needs none, and nbpem's timer (first tick a second after start) must not
    // run the never-run schedule by itself in the middle of the 30 manual jobs.
    await home.ok('bpplsched', ['load', '-add', 'full', '-st', 'FULL']);
  });

  afterAll(async () => {
    await home.destroy();
    for (const d of [data, stu, ...outs]) fs.rmSync(d, { recursive: true, force: true });
  });

  async function jobs(): Promise<JobRecord[]> {
    return (JSON.parse((await home.ok('bpdbjobs', ['--json'])).stdout) as { jobs: JobRecord[] }).jobs;
  }

  it('all end 0 within the limits, and the catalogue and jobs database agree', async () => {
    const runs = CLIENTS.flatMap((c) => Array.from({ length: PER_CLIENT }, () => home.run('bpbackup', ['-i', '-p', 'load', '-h', c, '-w'])));
    let done = false;
    const all = Promise.all(runs).finally(() => (done = true));
    // Watch the Activity Monitor while they run: never more active than the limits allow.
    let mostActive = 0;
    while (!done) {
      const active = (await jobs()).filter((j) => j.jobtype === 0 && j.state === 1);
      mostActive = Math.max(mostActive, active.length);
      expect(active.length).toBeLessThanOrEqual(UNIT_LIMIT);
      for (const c of CLIENTS) expect([c, active.filter((j) => j.client === c).length <= PER_CLIENT_LIMIT]).toEqual([c, true]);
      await new Promise((r) => setTimeout(r, 1000));
    }
    const results = await home.within(all, 180_000, '30 concurrent bpbackup -i -w');
    expect(results.map((r) => r.code)).toEqual(results.map(() => 0));
    expect(mostActive).toBeGreaterThan(1);

    const backups = (await jobs()).filter((j) => j.jobtype === 0);
    expect(backups.length).toBe(CLIENTS.length * PER_CLIENT);
    expect(backups.filter((j) => j.state !== 3 || j.status !== 0)).toEqual([]);
    const images = (JSON.parse((await home.ok('bpimagelist', ['-hoursago', '1', '--json'])).stdout) as { images: ImageRecord[] }).images;
    expect(images.map((i) => i.backupid).sort()).toEqual(backups.map((j) => j.backupid).sort());
    for (const j of backups) expect(images.find((i) => i.backupid === j.backupid)?.client).toBe(j.client);
    // The unit holds exactly the catalogued fragments.
    const frags = images.flatMap((i) => i.fragments.map((f) => path.basename(f.mediaId))).sort();
    expect(fs.readdirSync(stu).filter((f) => !f.startsWith('.')).sort()).toEqual(frags);

    for (const c of CLIENTS) {
      const image = images.find((i) => i.client === c)!;
      const v = await home.run('bpverify', ['-backupid', image.backupid, '-w']);
      expect([c, v.code]).toEqual([c, 0]);
    }
    for (const c of CLIENTS.slice(0, 2)) {
      const out = fs.mkdtempSync(path.join(os.tmpdir(), `obpload-${c}-`));
      outs.push(out);
      const rename = home.path(`rename-${c}`);
      fs.writeFileSync(rename, `change ${data} to ${out}\n`);
      expect((await home.run('bprestore', ['-w', '-C', c, '-D', os.hostname().split('.')[0]!, '-R', rename, data])).code).toBe(0);
      expect(await compareTrees(data, out, { owners: true })).toEqual([]);
    }
  }, 300_000);
});
