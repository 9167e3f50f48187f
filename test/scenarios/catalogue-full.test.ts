// The catalogue's filesystem full (db/ on a 2 MiB tmpfs, filled to a few KB before a backup whose
// file list cannot fit): the job ends 220, no half image is listed, its data on the storage unit is
// reclaimed, earlier images and the jobs database stay readable, and once space is freed the next
// backup succeeds and restores byte-identical.

import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { execa } from 'execa';
import { OpenbpHome } from '../helpers/openbp-home.js';
import { compareTrees } from '../helpers/compare-trees.js';

function filesUnder(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? filesUnder(path.join(dir, e.name)) : [path.join(dir, e.name)]));
}

function logFile(home: OpenbpHome, proc: string): string {
  const dir = home.path('logs', proc);
  return path.join(dir, fs.readdirSync(dir)[0]!);
}

function freeBytes(dir: string): number {
  const s = fs.statfsSync(dir);
  return s.bavail * s.bsize;
}

describe('catalogue filesystem full', () => {
  let home: OpenbpHome;
  let data: string;
  let mounted = false;

  beforeAll(async () => {
    home = OpenbpHome.create();
    const db = home.path('db');
    fs.mkdirSync(db, { recursive: true, mode: 0o700 });
    mounted = (await execa('mount', ['-t', 'tmpfs', '-o', 'size=2m,mode=0700', 'tmpfs', db], { reject: false })).exitCode === 0;
    data = fs.mkdtempSync(path.join(os.tmpdir(), 'obpcatfull-'));
    fs.mkdirSync(path.join(data, 'small'));
    fs.writeFileSync(path.join(data, 'small', 'a.txt'), 'earlier image\n');
    const many = path.join(data, 'many');
    fs.mkdirSync(many);
    // Enough entries that the .f file (about 100 bytes an entry plus the names) outgrows the room left.
    for (let i = 0; i < 1500; i++) fs.writeFileSync(path.join(many, `file-with-a-rather-long-name-to-fill-the-catalogue-${String(i).padStart(5, '0')}.txt`), `${i}\n`);
    if (mounted) await home.ok('bp.start_all');
  });

  afterAll(async () => {
    await home.run('bp.kill_all');
    if (mounted) await execa('umount', ['-l', home.path('db')], { reject: false });
    await home.destroy();
    fs.rmSync(data, { recursive: true, force: true });
  });

  it('fails the backup with 220, keeps the catalogue readable, and the next backup succeeds once space is freed', async () => {
    if (!mounted) {
      console.warn('skipped: needs root to mount a 2 MiB tmpfs as the catalogue directory');
      return;
    }
    await home.ok('bpbackup', ['-w', path.join(data, 'small')]);
    const before = (await home.ok('bpimagelist', ['-l'])).stdout;
    const stu = home.path('stu', 'default');
    const fragmentsBefore = fs.readdirSync(stu).sort();

    // Leave 24 KB: room for the job records and the image header, not for 1500 file entries.
    const filler = home.path('db', 'filler');
    fs.writeFileSync(filler, Buffer.alloc(Math.max(0, freeBytes(home.path('db')) - 24 * 1024)));
    const full = await home.within(home.run('bpbackup', ['-w', path.join(data, 'many')]), 120_000, 'the backup into a full catalogue');
    expect(full.code).toBe(220);
    expect(full.stderr).toContain('EXIT STATUS 220');
    expect(fs.readFileSync(logFile(home, 'bpdbm'), 'utf8')).toMatch(/ENOSPC/);
    // Neither a temp file of an atomic write nor the aborted image's pending files is left taking the space.
    expect(filesUnder(home.path('db')).filter((f) => /\.tmp$|\.pending$/.test(f))).toEqual([]);

    // No half image listed, its fragments reclaimed, earlier images and the jobs database readable.
    expect((await home.ok('bpimagelist', ['-l'])).stdout).toBe(before);
    expect(fs.readdirSync(stu).sort()).toEqual(fragmentsBefore);
    expect((await home.ok('bplist', ['-R', path.join(data, 'small')])).stdout).toContain('a.txt');
    expect((await home.run('bplist', ['-R', path.join(data, 'many')])).code).toBe(227);
    const jobs = (await home.ok('bpdbjobs', ['-report'])).stdout;
    expect(jobs.split('\n').filter((l) => /Backup/.test(l))).toHaveLength(2);
    expect(jobs).toMatch(/\b220\b/);

    // Space freed: the next backup succeeds and restores byte-identical; the catalogue checks clean.
    fs.rmSync(filler);
    await home.ok('bpbackup', ['-w', path.join(data, 'many')]);
    const rename = path.join(os.tmpdir(), `obpcatfull-rename-${process.pid}`);
    const target = fs.mkdtempSync(path.join(os.tmpdir(), 'obpcatfull-out-'));
    try {
      fs.writeFileSync(rename, `change ${data} to ${target}\n`);
      await home.ok('bprestore', ['-w', '-R', rename, path.join(data, 'many')]);
      expect(await compareTrees(path.join(data, 'many'), path.join(target, 'many'), { owners: true, xattrs: false })).toEqual([]);
    } finally {
      fs.rmSync(rename, { force: true });
      fs.rmSync(target, { recursive: true, force: true });
    }
    const jobsAfter = (await home.ok('bpdbjobs', ['-report'])).stdout;
    expect(jobsAfter.split('\n').filter((l) => /Backup/.test(l))).toHaveLength(3);
    expect((await home.run('bpdbm', ['-consistency'])).code).toBe(0);
  });
});
