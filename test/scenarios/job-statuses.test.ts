// Every status the spine promises, produced by the real processes: 0, 1, 71, 129, 227, 230, 20,
// and a one-line error (no stack trace) when the daemons cannot be reached.

import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { execa } from 'execa';
import { OpenbpHome } from '../helpers/openbp-home.js';

function oneLine(stderr: string): void {
  const lines = stderr.trim().split('\n');
  expect(lines).toHaveLength(1);
  expect(stderr).not.toMatch(/\n\s+at /);
}

describe('job statuses', () => {
  let home: OpenbpHome;
  let data: string;

  beforeAll(() => {
    home = OpenbpHome.create();
    data = fs.mkdtempSync(path.join(os.tmpdir(), 'obpdata-'));
    fs.writeFileSync(path.join(data, 'a.txt'), 'alpha\n');
    fs.mkdirSync(path.join(data, 'sub'));
    fs.writeFileSync(path.join(data, 'sub', 'b.bin'), Buffer.alloc(70000, 7));
  });

  afterAll(async () => {
    await home.destroy();
    fs.rmSync(data, { recursive: true, force: true });
  });

  it('71 when none of the paths exist', async () => {
    const r = await home.run('bpbackup', ['-w', path.join(data, 'missing-1'), path.join(data, 'missing-2')]);
    expect(r.code).toBe(71);
    expect(r.stderr).toContain('EXIT STATUS 71: none of the files in the file list exist');
  });

  it('1 when some files could not be read: the rest is saved and the job says which', async () => {
    const unreadable = '/proc/sys/vm/compact_memory'; // mode 0200: even root gets EACCES reading it
    const r = await home.run('bpbackup', ['-w', data, unreadable]);
    expect(r.code).toBe(1);
    expect(r.stdout).toContain('EXIT STATUS 1: the requested operation was partially successful');
    expect(r.stderr).toContain(unreadable);
    const jobs = await home.ok('bpdbjobs', ['-report', '-all_columns']);
    const row = jobs.stdout.split('\n').find((l) => l.split(',')[3] === '1');
    expect(row).toContain(unreadable);
    const restoreTo = fs.mkdtempSync(path.join(os.tmpdir(), 'obprest-'));
    try {
      const rename = home.path('rename-partial');
      fs.writeFileSync(rename, `change ${data} to ${restoreTo}\n`);
      expect((await home.run('bprestore', ['-w', '-R', rename, data])).code).toBe(0);
      expect(fs.readFileSync(path.join(restoreTo, 'sub', 'b.bin'))).toEqual(Buffer.alloc(70000, 7));
    } finally {
      fs.rmSync(restoreTo, { recursive: true, force: true });
    }
  });

  it('230 for an unknown policy, 227 for an unknown backup id, 20 for bad arguments', async () => {
    const p = await home.run('bpbackup', ['-w', '-p', 'no_such_policy', data]);
    expect(p.code).toBe(230);
    oneLine(p.stderr);
    const i = await home.run('bpimagelist', ['-backupid', 'nohost_1234567890']);
    expect(i.code).toBe(227);
    const d = await home.run('bprestore', ['-w', '-s', '13/45/2026', data]);
    expect(d.code).toBe(20);
    oneLine(d.stderr);
    const o = await home.run('bpbackup', ['-no_such_option', data]);
    expect(o.code).toBe(20);
    oneLine(o.stderr);
    const e = await home.run('bperror', ['-S', '129']);
    expect(e.stdout.split('\n')[0]).toBe('Disk storage unit is full');
  });

  it('227 when a restore names nothing that was backed up', async () => {
    const r = await home.run('bprestore', ['-w', '/nowhere/never/backed/up']);
    expect(r.code).toBe(227);
    oneLine(r.stderr);
  });

  it('one line and a status, not a stack trace, when the daemons cannot be reached', async () => {
    const broken = fs.mkdtempSync(path.join(os.tmpdir(), 'obpbroken-'));
    try {
      fs.writeFileSync(path.join(broken, 'run'), 'not a directory');
      const r = await execa('bpdbjobs', [], {
        env: { ...home.env, OPENBP_HOME: broken },
        reject: false,
      });
      expect(r.exitCode).not.toBe(0);
      oneLine(String(r.stderr));
    } finally {
      fs.rmSync(broken, { recursive: true, force: true });
    }
  });
});

describe('disk storage unit full', () => {
  let home: OpenbpHome;
  let mounted = false;
  let data: string;

  beforeAll(async () => {
    home = OpenbpHome.create();
    const stu = home.path('stu', 'default');
    fs.mkdirSync(stu, { recursive: true });
    const m = await execa('mount', ['-t', 'tmpfs', '-o', 'size=2m', 'tmpfs', stu], { reject: false });
    mounted = m.exitCode === 0;
    data = fs.mkdtempSync(path.join(os.tmpdir(), 'obpbig-'));
    fs.writeFileSync(path.join(data, 'small.txt'), 'fits\n');
    fs.writeFileSync(path.join(data, 'big.bin'), Buffer.alloc(6 * 1024 * 1024, 1));
  });

  afterAll(async () => {
    await home.run('bp.kill_all');
    if (mounted) await execa('umount', [home.path('stu', 'default')], { reject: false });
    await home.destroy();
    fs.rmSync(data, { recursive: true, force: true });
  });

  it('129, the partial image removed, the catalogue intact, then a backup that fits succeeds', async () => {
    if (!mounted) {
      console.warn('skipped: needs root to mount a 2 MiB tmpfs as the storage unit');
      return;
    }
    const full = await home.run('bpbackup', ['-w', data]);
    expect(full.code).toBe(129);
    expect(full.stderr).toContain('EXIT STATUS 129: Disk storage unit is full');
    expect(fs.readdirSync(home.path('stu', 'default')).filter((f) => !f.startsWith('lost+found'))).toEqual([]);
    expect((await home.run('bpimagelist', ['-l'])).code).toBe(227);
    const ok = await home.run('bpbackup', ['-w', path.join(data, 'small.txt')]);
    expect(ok.code).toBe(0);
    expect((await home.ok('bpimagelist', ['-l'])).stdout).toMatch(/^IMAGE /m);
  });
});
