import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { lstatNode } from '../../src/archive/node-stat.js';
import { sys } from '../../src/native/sys.js';

describe('NodeStat (lstat as numbers)', () => {
  let dir: string;
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'obp-nodestat-'));
  });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('holds what fs.lstatSync (bigint) says, symlinks not followed', () => {
    const f = path.join(dir, 'f\xe9');
    fs.writeFileSync(Buffer.from(f, 'latin1'), 'abc');
    sys().utimensat(Buffer.from(f, 'latin1'), 1_600_000_000, 999_999_999, 1_700_000_000, 5, false);
    const l = path.join(dir, 'l');
    fs.symlinkSync('f\xe9', l);
    fs.linkSync(Buffer.from(f, 'latin1'), path.join(dir, 'h'));
    for (const p of [f, l, dir]) {
      const b = Buffer.from(p, 'latin1');
      const ours = lstatNode(b);
      const node = fs.lstatSync(b, { bigint: true });
      expect([ours.dev, ours.ino, ours.mode, ours.nlink, ours.uid, ours.gid, ours.size, ours.blocks]).toEqual(
        [node.dev, node.ino, node.mode, node.nlink, node.uid, node.gid, node.size, node.blocks].map(Number),
      );
      expect(ours.mtimeNs).toBe(node.mtimeNs);
      expect(ours.mtimeNsText).toBe(node.mtimeNs.toString());
      expect(ours.ctimeSeconds).toBe(Number(node.ctimeNs / 1_000_000_000n));
      expect(ours.atimeSeconds).toBe(Number(node.atimeNs / 1_000_000_000n));
      expect([ours.isFile(), ours.isDirectory(), ours.isSymbolicLink()]).toEqual([node.isFile(), node.isDirectory(), node.isSymbolicLink()]);
      expect(ours.inodeKey).toBe(`${node.dev}:${node.ino >> 32n}:${node.ino & 0xffffffffn}`);
    }
    expect(lstatNode(Buffer.from(f, 'latin1')).mtimeNsText).toBe('1700000000000000005');
    expect(lstatNode(Buffer.from(f, 'latin1')).atimeSeconds).toBe(1_600_000_000);
  });

  it('keeps times before 1970 exact and reports errno codes', () => {
    const f = Buffer.from(path.join(dir, 'old'));
    fs.writeFileSync(f, '');
    sys().utimensat(f, -5, 500_000_000, -2, 250_000_000, false);
    const st = lstatNode(f);
    expect(st.mtimeNs).toBe(-1_750_000_000n);
    expect(st.mtimeNsText).toBe('-1750000000');
    expect(st.atimeSeconds).toBe(Number(-4_500_000_000n / 1_000_000_000n));
    expect(() => lstatNode(Buffer.from(path.join(dir, 'none')))).toThrow(expect.objectContaining({ code: 'ENOENT', syscall: 'lstat' }));
  });
});
