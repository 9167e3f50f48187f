// bpdbm -consistency: a clean catalogue checks clean (also after bpdbm was killed mid-backup and the
// daemons recovered), and each kind of damage to the catalogue or its disk unit is reported with 220.

import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { OpenbpHome } from '../helpers/openbp-home.js';
import { normalBuffers, slowBuffers, writeRealData } from '../helpers/slow-job.js';
import type { ImageRecord } from '../../src/protocol/records.js';

function filesUnder(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? filesUnder(path.join(dir, e.name)) : [path.join(dir, e.name)]));
}

describe('bpdbm -consistency', () => {
  let home: OpenbpHome;
  let data: string;

  beforeAll(async () => {
    home = OpenbpHome.create();
    data = fs.mkdtempSync(path.join(os.tmpdir(), 'obpcons-'));
    for (const d of ['a', 'b', 'c']) {
      fs.mkdirSync(path.join(data, d));
      fs.writeFileSync(path.join(data, d, 'f.txt'), `${d}\n`);
    }
    writeRealData(path.join(data, 'big'), 16);
    await home.ok('bp.start_all');
  });

  afterAll(async () => {
    await home.destroy();
    fs.rmSync(data, { recursive: true, force: true });
  });

  it('is clean after backups and after bpdbm was killed during a backup', async () => {
    for (const d of ['a', 'b', 'c']) expect((await home.run('bpbackup', ['-w', path.join(data, d)])).code).toBe(0);
    slowBuffers(home);
    const backup = home.run('bpbackup', ['-w', path.join(data, 'big')]);
    const deadline = Date.now() + 30_000;
    while (!fs.readdirSync(home.path('stu', 'default')).some((f) => f.endsWith('.part')) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    process.kill(Number(fs.readFileSync(home.path('run', 'bpdbm.pid'), 'utf8')), 'SIGKILL');
    await home.within(backup, 60_000, 'the backup whose bpdbm was killed');
    normalBuffers(home);
    await home.ok('bpimagelist', ['-l']); // brings bpdbm back; nbjm has closed the job
    const r = await home.run('bpdbm', ['-consistency', '2']);
    expect([r.code, r.stdout]).toEqual([0, expect.stringMatching(/^checked [34] images and \d+ disk fragments: the catalogue is consistent\n?$/)]);
  });

  it('reports each kind of damage', async () => {
    const images = (JSON.parse((await home.ok('bpimagelist', ['--json'])).stdout) as { images: ImageRecord[] }).images;
    const [one, two] = images;
    const headers = filesUnder(home.path('db', 'images')).filter((f) => /_\d+_[A-Z]{4}$/.test(f));
    const headerOf = (i: ImageRecord) => headers.find((h) => path.basename(h).includes(`_${i.backupTime}_`))!;
    fs.rmSync(`${headerOf(one!)}.f`);
    fs.rmSync(two!.fragments[0]!.mediaId);
    const stu = home.path('stu', 'default');
    fs.writeFileSync(path.join(stu, 'stray_1000000000_C1_F1.img'), 'stray');
    fs.writeFileSync(path.join(stu, 'stray_1000000001_C1_F1.img.part'), 'half');
    const lonely = path.join(path.dirname(headerOf(one!)), 'gone_1000000002_FULL.f');
    fs.writeFileSync(lonely, '');
    const r = await home.run('bpdbm', ['-consistency']);
    expect(r.code).toBe(220);
    const lines = r.stdout.trim().split('\n');
    expect(lines.pop()).toMatch(/^checked \d+ images and \d+ disk fragments: 5 inconsistencies found$/);
    expect(lines.sort()).toEqual([
      `.f without header: ${lonely}`,
      `fragment missing: ${two!.fragments[0]!.mediaId} (${two!.backupid})`,
      `fragment not in catalogue: ${path.join(stu, 'stray_1000000000_C1_F1.img')} (stray_1000000000)`,
      `header without .f: ${headerOf(one!)} (${one!.backupid})`,
      `partial fragment: ${path.join(stu, 'stray_1000000001_C1_F1.img.part')} (stray_1000000001)`,
    ].sort());
  });
});
