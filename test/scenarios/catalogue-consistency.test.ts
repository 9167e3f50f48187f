// bpdbm -consistency: a clean catalogue checks clean (also after bpdbm was killed mid-backup and the
// daemons recovered), each kind of damage to the catalogue or its disk unit is reported with 220, and
// -repair (refused while a job is active) fixes it without touching a valid image or its fragments.

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

  it('-repair is refused while a job is active, then repairs what it reported and keeps every valid image', async () => {
    slowBuffers(home);
    const backup = home.run('bpbackup', ['-w', path.join(data, 'big')]);
    const stu = home.path('stu', 'default');
    const deadline = Date.now() + 30_000;
    while (!fs.readdirSync(stu).some((f) => f.endsWith('.part') && !f.startsWith('stray')) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    const busy = await home.run('bpdbm', ['-consistency', '-repair']);
    expect([busy.code, busy.stderr]).toEqual([220, expect.stringMatching(/jobs are active/)]);
    expect((await home.within(backup, 60_000, 'the backup beside the refused repair')).code).toBe(0);
    normalBuffers(home);

    const before = (JSON.parse((await home.ok('bpimagelist', ['--json'])).stdout) as { images: ImageRecord[] }).images;
    const damaged = (await home.run('bpdbm', ['-consistency'])).stdout.match(/\(([^)]+)\)$/gm)!.map((m) => m.slice(1, -1));
    const valid = before.filter((i) => !damaged.includes(i.backupid));
    const broken = before.filter((i) => damaged.includes(i.backupid));
    expect(broken).toHaveLength(2);
    const r = await home.run('bpdbm', ['-consistency', '2', '-repair']);
    expect(r.code).toBe(0);
    const lines = r.stdout.trim().split('\n');
    expect(lines.pop()).toMatch(/: the catalogue is consistent$/);
    expect(lines).toHaveLength(5);
    expect(lines.filter((l) => /^moved image \S+ aside/.test(l))).toHaveLength(2);
    expect(lines.filter((l) => /^removed .*(stray_|gone_)/.test(l))).toHaveLength(3);

    // Every valid image is still listed with its fragments; the damaged ones are gone from the listings.
    const after = (JSON.parse((await home.ok('bpimagelist', ['--json'])).stdout) as { images: ImageRecord[] }).images;
    expect(after.map((i) => i.backupid).sort()).toEqual(valid.map((i) => i.backupid).sort());
    for (const i of valid) for (const f of i.fragments) expect(fs.existsSync(f.mediaId)).toBe(true);
    expect(fs.readdirSync(stu).filter((f) => f.startsWith('stray'))).toEqual([]);
    expect((await home.run('bpimagelist', ['-backupid', broken[0]!.backupid])).code).toBe(227);
    expect(filesUnder(home.path('db', 'damaged-images')).filter((f) => /_\d+_[A-Z]{4}$/.test(f))).toHaveLength(2);
    const again = await home.run('bpdbm', ['-consistency']);
    expect([again.code, again.stdout]).toEqual([0, expect.stringMatching(/^checked \d+ images and \d+ disk fragments: the catalogue is consistent\n?$/)]);
    const dst = fs.mkdtempSync(path.join(os.tmpdir(), 'obpcons-out-'));
    try {
      const rename = path.join(dst, 'rename');
      fs.writeFileSync(rename, `change ${data} to ${path.join(dst, 'r')}\n`);
      await home.ok('bprestore', ['-w', '-R', rename, path.join(data, 'big')]);
      expect(fs.readFileSync(path.join(dst, 'r', 'big')).equals(fs.readFileSync(path.join(data, 'big')))).toBe(true);
    } finally {
      fs.rmSync(dst, { recursive: true, force: true });
    }
  });
});
