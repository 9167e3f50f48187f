// bpverify on the real daemons: two images verify 0 as type-3 jobs; one byte flipped in one image's
// fragment makes its verify end 85 while the other still verifies and restores, and a restore of the
// damaged image fails before the damaged block reaches nbtar, so no damaged file is left under its name.

import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import crypto from 'node:crypto';
import { OpenbpHome } from '../helpers/openbp-home.js';
import { formatNbDateTime } from '../../src/cli/dates.js';
import { callDaemon } from '../../src/cli/daemon-call.js';
import { homeAt, type Home } from '../../src/config/home.js';
import { bpdbm } from '../../src/protocol/bpdbm.js';
import { bpjobd } from '../../src/protocol/bpjobd.js';
import { JOB_TYPE, type ImageRecord } from '../../src/protocol/records.js';
import { fragmentFileName } from '../../src/storage/disk/fragment-names.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('bpverify', () => {
  let home: OpenbpHome;
  let h: Home;
  let work: string;
  let data: string;
  const backups: Array<{ image: ImageRecord; big: Buffer }> = [];

  const images = async (): Promise<ImageRecord[]> => (await callDaemon(h, bpdbm.listImages, {})).images;
  const verifyJobs = async () => (await callDaemon(h, bpjobd.list, {})).jobs.filter((j) => j.jobtype === JOB_TYPE.verify);

  async function restore(image: ImageRecord): Promise<{ code: number; out: string; stderr: string }> {
    const out = path.join(work, `out-${image.backupid}-${Math.random().toString(36).slice(2, 7)}`);
    const rename = path.join(work, `rename-${path.basename(out)}`);
    fs.writeFileSync(rename, `change ${data} to ${out}\n`);
    const r = await home.run('bprestore', ['-w', '-e', ...formatNbDateTime(image.backupTime).split(' '), '-R', rename, data]);
    return { code: r.code, out, stderr: r.stderr };
  }

  beforeAll(async () => {
    home = OpenbpHome.create();
    h = homeAt(home.root);
    work = fs.mkdtempSync(path.join(os.tmpdir(), 'obpverify-'));
    data = path.join(work, 'data');
    fs.mkdirSync(data);
    for (const n of [1, 2]) {
      const big = crypto.randomBytes(600 * 1024);
      fs.writeFileSync(path.join(data, 'big.bin'), big);
      fs.writeFileSync(path.join(data, 'v.txt'), `version ${n}\n`);
      if (n > 1) await sleep(1100); // backup times are whole seconds
      await home.ok('bpbackup', ['-w', data]);
      backups.push({ image: (await images())[0]!, big });
    }
  });

  afterAll(async () => {
    await home.destroy();
    fs.rmSync(work, { recursive: true, force: true });
  });

  it('verifies both images as type-3 jobs with status 0', async () => {
    const r = await home.run('bpverify', ['-w']);
    expect({ code: r.code, stderr: r.stderr }).toEqual({ code: 0, stderr: '' });
    expect(r.stdout).toContain('EXIT STATUS 0');
    const jobs = await verifyJobs();
    expect(jobs.map((j) => j.backupid).sort()).toEqual(backups.map((b) => b.image.backupid).sort());
    expect(jobs.every((j) => j.status === 0)).toBe(true);
    const listed = await home.ok('bpdbjobs', []);
    expect(listed.stdout).toMatch(/Verify/);
    for (const b of backups) expect((await home.ok('bpverify', ['-backupid', b.image.backupid, '-w'])).stdout).toContain('EXIT STATUS 0');
  });

  it('selects nothing: 227', async () => {
    const r = await home.run('bpverify', ['-backupid', 'nosuch_123', '-w']);
    expect(r.code).toBe(227);
    expect((await home.run('bpverify', ['-client', 'nosuchclient', '-w'])).code).toBe(227);
  });

  describe('after one byte of the second image is flipped', () => {
    beforeAll(() => {
      const damaged = backups[1]!.image;
      const dir = home.path('stu', 'default');
      const file = path.join(dir, fs.readdirSync(dir).filter((n) => n.startsWith(`${damaged.backupid}_`)).sort()[0]!);
      const fd = fs.openSync(file, 'r+');
      try {
        const at = Math.floor(fs.fstatSync(fd).size / 2);
        const b = Buffer.alloc(1);
        fs.readSync(fd, b, 0, 1, at);
        b[0] = b[0]! ^ 0xff;
        fs.writeSync(fd, b, 0, 1, at);
      } finally {
        fs.closeSync(fd);
      }
    });

    it('the damaged image verifies 85, the other still 0', async () => {
      const bad = await home.run('bpverify', ['-backupid', backups[1]!.image.backupid, '-w']);
      expect(bad.code).toBe(85);
      expect(bad.stderr).toContain('EXIT STATUS 85');
      const good = await home.run('bpverify', ['-backupid', backups[0]!.image.backupid, '-w']);
      expect({ code: good.code, stderr: good.stderr }).toEqual({ code: 0, stderr: '' });
      const jobs = await verifyJobs();
      expect(jobs.find((j) => j.backupid === backups[1]!.image.backupid && j.status === 85)).toBeDefined();
    });

    it('verifying both: the failure decides (85)', async () => {
      const r = await home.run('bpverify', ['-w']);
      expect(r.code).toBe(85);
    });

    it('the undamaged image still restores correctly', async () => {
      const r = await restore(backups[0]!.image);
      expect(r.code).toBe(0);
      expect(fs.readFileSync(path.join(r.out, 'big.bin')).equals(backups[0]!.big)).toBe(true);
      expect(fs.readFileSync(path.join(r.out, 'v.txt'), 'utf8')).toBe('version 1\n');
    });

    it('a restore of the damaged image fails with 85', async () => {
      const r = await restore(backups[1]!.image);
      expect(r.code).toBe(85);
      // The flipped byte is inside big.bin: its block fails its checksum in bptm, so nbtar never gets the
      // file whole and leaves nothing under its name.
      expect(fs.existsSync(path.join(r.out, 'big.bin'))).toBe(false);
      const job = (await callDaemon(h, bpjobd.list, {})).jobs.filter((j) => j.jobtype === JOB_TYPE.restore).sort((a, b) => b.jobid - a.jobid)[0]!;
      expect(job.tries.flatMap((t) => t.statusLines).join('\n')).toMatch(/block \d+ of fragment 1 \(stream offset \d+\) fails its checksum/);
    });

    it('the catalogue keeps a block index next to the image header', () => {
      const dir = home.path('db', 'images', backups[0]!.image.client);
      const names = fs.readdirSync(dir, { recursive: true }).map(String);
      expect(names.filter((n) => n.endsWith('.blk')).length).toBe(2);
    });

    it('with its fragment file gone, the verify ends 83', async () => {
      const damaged = backups[1]!.image;
      const dir = home.path('stu', 'default');
      for (const n of fs.readdirSync(dir).filter((f) => f.startsWith(`${damaged.backupid}_`))) fs.renameSync(path.join(dir, n), path.join(work, n));
      expect((await home.run('bpverify', ['-backupid', damaged.backupid, '-w'])).code).toBe(83);
    });
  });
});

// Every block is checked before it goes on: a file that ends inside a damaged fragment, before the
// fragment's end, is still not restored when its own block is the damaged one.
describe('bpverify with an image of several fragments', () => {
  let home: OpenbpHome;
  let h: Home;
  let work: string;
  let data: string;
  let image: ImageRecord;
  const small = crypto.randomBytes(400 * 1024);
  const large = crypto.randomBytes(1600 * 1024);

  beforeAll(async () => {
    home = OpenbpHome.create();
    h = homeAt(home.root);
    work = fs.mkdtempSync(path.join(os.tmpdir(), 'obpverify2-'));
    data = path.join(work, 'data');
    fs.mkdirSync(data);
    fs.writeFileSync(path.join(data, 'a-small.bin'), small);
    fs.writeFileSync(path.join(data, 'b-large.bin'), large);
    await home.ok('bpsturep', ['-label', 'openbp-default-disk', '-mfs', '1']);
    await home.ok('bpbackup', ['-w', data]);
    image = (await callDaemon(h, bpdbm.listImages, {})).images[0]!;
  });

  afterAll(async () => {
    await home.destroy();
    fs.rmSync(work, { recursive: true, force: true });
  });

  it('verifies 0, then 85 once a byte inside the first file (first fragment) is flipped', async () => {
    expect(image.fragments.length).toBeGreaterThan(1);
    expect((await home.run('bpverify', ['-backupid', image.backupid, '-w'])).code).toBe(0);
    const fd = fs.openSync(home.path('stu', 'default', fragmentFileName(image.backupid, 1, 1)), 'r+');
    try {
      const at = 200 * 1024; // inside a-small.bin's data
      const b = Buffer.alloc(1);
      fs.readSync(fd, b, 0, 1, at);
      b[0] = b[0]! ^ 0xff;
      fs.writeSync(fd, b, 0, 1, at);
    } finally {
      fs.closeSync(fd);
    }
    expect((await home.run('bpverify', ['-backupid', image.backupid, '-w'])).code).toBe(85);
  });

  it('a restore fails with 85 and leaves nothing of the file whose block is damaged', async () => {
    const out = path.join(work, 'out');
    const rename = path.join(work, 'rename');
    fs.writeFileSync(rename, `change ${data} to ${out}\n`);
    const r = await home.run('bprestore', ['-w', '-R', rename, data]);
    expect(r.code).toBe(85);
    const a = path.join(out, 'a-small.bin');
    expect(fs.existsSync(a)).toBe(false);
    expect(fs.existsSync(path.join(out, 'b-large.bin'))).toBe(false);
  });
});
