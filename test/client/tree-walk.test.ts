// The walk of one selection: pre-order, byte order, and regular files by their directory entry's type when asked.

import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { walkTree, type WalkItem } from '../../src/client/bpbkar/tree-walk.js';
import { ListingsAhead } from '../../src/client/bpbkar/listings-ahead.js';

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

/** An item's path (the first of a run of unchanged files). */
const absOf = (i: WalkItem): string => (i.kind === 'unchanged' ? path.join(i.dir, i.names[i.from]!) : i.abs);
const kinds = (items: Iterable<WalkItem>) => [...items].map((i) => [path.relative(dir, absOf(i)) || '.', i.kind === 'file' ? (i.st.isDirectory() ? 'dir' : i.st.isSymbolicLink() ? 'symlink' : 'stat') : i.kind]);

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

  it('lists directories ahead without changing what it yields: the same items, order and lstats as a walk that lists each where it is', () => {
    const tree = fs.mkdtempSync(path.join(os.tmpdir(), 'obp-walk-ahead-'));
    try {
      // Wide and deep: more directories than are listed ahead at once, at several levels, some empty.
      for (let a = 0; a < 12; a++) {
        for (let b = 0; b < (a % 4) * 3; b++) {
          const d = path.join(tree, `d${a}`, `e${b}`);
          fs.mkdirSync(d, { recursive: true });
          for (let f = 0; f < b; f++) fs.writeFileSync(path.join(d, `f${f}`), String(f));
        }
        fs.mkdirSync(path.join(tree, `d${a}`), { recursive: true });
        fs.writeFileSync(path.join(tree, `d${a}`, 'z'), 'z');
      }
      const ahead = [...walkTree(tree, () => true)];
      // The same walk with every directory listed where the walk is: regular files then lstat'ed by path.
      const expected: string[] = [];
      const visit = (p: string): void => {
        expected.push(p);
        if (fs.lstatSync(p).isDirectory()) for (const n of fs.readdirSync(p).sort()) visit(path.join(p, n));
      };
      visit(tree);
      expect(ahead.map(absOf)).toEqual(expected);
      for (const i of ahead) {
        if (i.kind !== 'file') throw new Error(`unexpected ${i.kind} for ${absOf(i)}`);
        const st = fs.lstatSync(i.abs, { bigint: true });
        expect([i.st.ino, i.st.mode, i.st.size, i.st.mtimeNs]).toEqual([Number(st.ino), Number(st.mode), Number(st.size), st.mtimeNs]);
      }
      // A walk that does not descend lists nothing below (the directories it skips are not listed ahead either).
      const top = [...walkTree(tree, (p) => p === tree)];
      expect(top.map((i) => path.relative(tree, absOf(i)))).toEqual(['', ...fs.readdirSync(tree).sort()]);
    } finally {
      fs.rmSync(tree, { recursive: true, force: true });
    }
  });
});

describe('ListingsAhead', () => {
  it('hands over a listing made ahead, made now or failed as scanDir would, and asks for no more than its limit', () => {
    const ahead = new ListingsAhead(100, 2);
    ahead.ask(path.join(dir, 'missing'));
    ahead.ask(dir);
    expect(ahead.hasRoom).toBe(false);
    ahead.ask(path.join(dir, 'sub')); // no room: not asked
    expect(ahead.take(path.join(dir, 'sub'))).toBeUndefined();
    // Taken in the other order than asked: the second may not be started yet (then it is made by take).
    const listed = ahead.take(dir)!;
    expect(listed.names).toEqual(['a', 'b', 'link', 'sub']);
    expect(listed.stats![listed.names.indexOf('sub') * 18 + 2]! & 0o170000).toBe(0o040000);
    expect(() => ahead.take(path.join(dir, 'missing'))).toThrow(expect.objectContaining({ code: 'ENOENT' }));
    // Taken listings are forgotten: room again, nothing more to take.
    expect(ahead.hasRoom).toBe(true);
    expect(ahead.take(dir)).toBeUndefined();
  });

  it('gives every listing whole and to its own directory, taken in any order (made by its thread, waited for, or made now)', () => {
    const d = fs.mkdtempSync(path.join(os.tmpdir(), 'obp-ahead-'));
    try {
      const dirs = Array.from({ length: 40 }, (_, k) => path.join(d, `d${k}`));
      dirs.forEach((p, k) => {
        fs.mkdirSync(p);
        for (let f = 0; f < k; f++) fs.writeFileSync(path.join(p, `f${String(f).padStart(2, '0')}`), '');
      });
      const ahead = new ListingsAhead(100);
      for (const p of dirs) ahead.ask(p);
      for (let k = dirs.length - 1; k >= 0; k--) {
        const got = ahead.take(dirs[k]!)!;
        expect(got.names).toEqual(Array.from({ length: k }, (_, f) => `f${String(f).padStart(2, '0')}`));
        expect(got.stats!.length).toBe(k * 18);
      }
    } finally {
      fs.rmSync(d, { recursive: true, force: true });
    }
  });
});
