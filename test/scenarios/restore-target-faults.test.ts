// A restore target that fills up or is read-only: the restore fails with a status and names the files,
// nothing half-written stands under a final name (no temp files left either), and a re-run completes.

import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import crypto from 'node:crypto';
import { execa } from 'execa';
import { OpenbpHome } from '../helpers/openbp-home.js';

describe('restore target full or read-only', () => {
  let home: OpenbpHome;
  let data: string;
  let target: string;
  let mounted = false;
  const big = crypto.randomBytes(3_000_000);

  beforeAll(async () => {
    home = OpenbpHome.create();
    data = fs.mkdtempSync(path.join(os.tmpdir(), 'obprtf-'));
    target = fs.mkdtempSync(path.join(os.tmpdir(), 'obprtf-target-'));
    fs.writeFileSync(path.join(data, 'big.bin'), big);
    fs.writeFileSync(path.join(data, 'a.txt'), 'small\n');
    expect((await home.run('bpbackup', ['-w', data])).code).toBe(0);
    mounted = (await execa('mount', ['-t', 'tmpfs', '-o', 'size=1m', 'tmpfs', target], { reject: false })).exitCode === 0;
  });

  afterAll(async () => {
    if (mounted) await execa('umount', [target], { reject: false });
    await home.destroy();
    fs.rmSync(data, { recursive: true, force: true });
    fs.rmSync(target, { recursive: true, force: true });
  });

  it('full: status 1 naming the file, no partial file, and a re-run with room completes', async () => {
    if (!mounted) {
      console.warn('skipped: needs root to mount a 1 MiB tmpfs as the restore target');
      return;
    }
    const rename = home.path('rename-full');
    fs.writeFileSync(rename, `change ${data} to ${path.join(target, 'r')}\n`);
    const r = await home.run('bprestore', ['-w', '-R', rename, data]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/WRN - .*big\.bin.*ENOSPC/);
    expect(fs.readdirSync(path.join(target, 'r')).sort()).toEqual(['a.txt']); // no big.bin, no temp file
    await execa('mount', ['-o', 'remount,size=8m', target]);
    expect((await home.run('bprestore', ['-w', '-R', rename, data])).code).toBe(0);
    expect(fs.readFileSync(path.join(target, 'r', 'big.bin'))).toEqual(big);
  });

  it('read-only: status 175, nothing written', async () => {
    if (!mounted) {
      console.warn('skipped: needs root to remount the restore target read-only');
      return;
    }
    await execa('mount', ['-o', 'remount,ro', target]);
    const rename = home.path('rename-ro');
    fs.writeFileSync(rename, `change ${data} to ${path.join(target, 'r2')}\n`);
    const r = await home.run('bprestore', ['-w', '-R', rename, data]);
    expect(r.code).toBe(175);
    expect(r.stderr).toContain('EROFS');
    expect(fs.existsSync(path.join(target, 'r2'))).toBe(false);
  });
});
