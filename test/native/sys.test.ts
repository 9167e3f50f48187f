import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { sys, ADDON_PATH } from '../../src/native/sys.js';

describe('openbp_sys native addon', () => {
  let dir: string;
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'obp-sys-'));
  });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('is found at the repo build directory', () => {
    expect(fs.existsSync(ADDON_PATH)).toBe(true);
  });

  it('sets exact nanosecond times, also on a symlink itself', () => {
    const f = Buffer.from(path.join(dir, 'f\xff'), 'latin1');
    fs.writeFileSync(f, '');
    sys().utimensat(f, 1_000_000_000, 1, 1_700_000_000, 123_456_789, false);
    const st = fs.statSync(f, { bigint: true });
    expect(st.mtimeNs).toBe(1_700_000_000_123_456_789n);
    expect(st.atimeNs).toBe(1_000_000_000_000_000_001n);
    const l = Buffer.from(path.join(dir, 'l'));
    fs.symlinkSync(f, l);
    sys().utimensat(l, 5, 6, 7, 8, true);
    expect(fs.lstatSync(l, { bigint: true }).mtimeNs).toBe(7_000_000_008n);
    expect(fs.statSync(f, { bigint: true }).mtimeNs).toBe(1_700_000_000_123_456_789n);
  });

  it('makes FIFOs and reports errno codes', () => {
    const p = Buffer.from(path.join(dir, 'fifo'));
    sys().mkfifo(p, 0o640);
    const st = fs.lstatSync(p);
    expect(st.isFIFO()).toBe(true);
    expect(() => sys().mkfifo(p, 0o640)).toThrow(expect.objectContaining({ code: 'EEXIST', syscall: 'mkfifo' }));
    expect(() => sys().utimensat(Buffer.from(path.join(dir, 'none')), 0, 0, 0, 0, true)).toThrow(expect.objectContaining({ code: 'ENOENT' }));
  });

  it('lists, reads and writes extended attributes', () => {
    const f = Buffer.from(path.join(dir, 'x'));
    fs.writeFileSync(f, '');
    try {
      sys().lsetxattr(f, Buffer.from('user.openbp'), Buffer.from([0, 1, 255]));
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOTSUP') return; // file system without user xattrs
      throw e;
    }
    expect(sys().llistxattr(f).map((b) => b.toString())).toContain('user.openbp');
    expect(sys().lgetxattr(f, Buffer.from('user.openbp'))).toEqual(Buffer.from([0, 1, 255]));
    expect(sys().lgetxattr(f, Buffer.from('user.none'))).toBeNull();
  });
});
