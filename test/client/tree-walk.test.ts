// The walk of one selection: pre-order, byte order, and regular files by their directory entry's type when asked.

import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { walkTree, type WalkItem } from '../../src/client/bpbkar/tree-walk.js';

let dir: string;
beforeAll(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'obp-walk-'));
  fs.mkdirSync(path.join(dir, 'sub'));
  fs.writeFileSync(path.join(dir, 'b'), 'b');
  fs.writeFileSync(path.join(dir, 'a'), 'a');
  fs.writeFileSync(path.join(dir, 'sub', 'c'), 'c');
  fs.symlinkSync('a', path.join(dir, 'link'));
});
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

const kinds = (items: Iterable<WalkItem>) => [...items].map((i) => [path.relative(dir, i.abs) || '.', i.kind === 'file' ? (i.st.isDirectory() ? 'dir' : i.st.isSymbolicLink() ? 'symlink' : 'stat') : i.kind]);

describe('walkTree', () => {
  it('lstats every entry by default', () => {
    expect(kinds(walkTree(dir, () => true))).toEqual([
      ['.', 'dir'],
      ['a', 'stat'],
      ['b', 'stat'],
      ['link', 'symlink'],
      ['sub', 'dir'],
      ['sub/c', 'stat'],
    ]);
  });

  it('yields regular files unstat\'ed when lstatRegular is false; directories and symlinks are still lstat\'ed', () => {
    expect(kinds(walkTree(dir, () => true, false))).toEqual([
      ['.', 'dir'],
      ['a', 'regular'],
      ['b', 'regular'],
      ['link', 'symlink'],
      ['sub', 'dir'],
      ['sub/c', 'regular'],
    ]);
  });

  it('a selection that is itself a regular file is lstat\'ed', () => {
    expect(kinds(walkTree(path.join(dir, 'a'), () => true, false))).toEqual([['a', 'stat']]);
  });
});
