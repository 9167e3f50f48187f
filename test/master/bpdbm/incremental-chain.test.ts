// Point-in-time restore and listing across a full and incrementals, on hand-made images in a temp ImageStore.

import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ImageStore } from '../../../src/master/bpdbm/image-store.js';
import { ImageFilePager, listFiles, resolveRestore } from '../../../src/master/bpdbm/file-queries.js';
import type { FileRecord, SchedType } from '../../../src/protocol/records.js';
import { file, fragment, image } from './fixtures.js';

let root: string;
let store: ImageStore;
beforeEach(() => {
  root = fs.mkdtempSync(path.join(os.tmpdir(), 'openbp-chain-'));
  store = new ImageStore(root, () => {});
});
afterEach(() => {
  store.close();
  fs.rmSync(root, { recursive: true, force: true });
});

const C = 'host1';
function backup(t: number, schedType: SchedType, files: FileRecord[], policy = 'P'): void {
  const id = `${C}_${t}`;
  store.createImage(image(C, t, { schedType, policy }));
  store.addFiles(id, files);
  store.addFragment(id, fragment(1));
  store.commitImage({ backupid: id, kbytes: 1, numFiles: files.length, elapsed: 1, backupStatus: 0 });
}
const dir = file('/d', 'd', { ino: 10 });
const v = (name: string, ino: number, size: number, over: Partial<FileRecord> = {}) => file(`/d/${name}`, 'f', { ino, size, ...over });
const same = (r: FileRecord): FileRecord => ({ ...r, inImage: 0 });

// t=100 full: a b c e. t=200 INCR: a edited, b e unchanged, c deleted, n new.
// t=300 CINC (since the full): a as at 200, b unchanged, e chmod (ctime), n. t=400 INCR: nothing changed.
const a1 = v('a', 1, 10), b1 = v('b', 2, 20), c1 = v('c', 3, 30), e1 = v('e', 5, 50);
const a2 = v('a', 1, 11, { mtimeNs: '1699790800000000000', ctime: 1_699_790_800 });
const n2 = v('n', 7, 70);
const e3 = v('e', 5, 50, { ctime: 1_699_790_900, mode: 0o100600 });
function chain(): void {
  backup(100, 'FULL', [dir, a1, b1, c1, e1]);
  backup(200, 'INCR', [dir, a2, same(b1), same(e1), n2]);
  backup(300, 'CINC', [dir, a2, same(b1), e3, n2]);
  backup(400, 'INCR', [dir, same(a2), same(b1), same(e3), same(n2)]);
}
const plansOf = (until: number) => {
  const r = resolveRestore(store, { client: C, paths: ['/d'], until });
  return { ...r, plans: r.plans.map((p) => ({ id: p.image.backupid, paths: p.paths, entries: p.entries })) };
};

describe('restore across a full and incrementals', () => {
  it('keeps a full-only restore as it was: one plan, the requested path, not ordered', () => {
    chain();
    expect(plansOf(150)).toEqual({ plans: [{ id: `${C}_100`, paths: ['/d'], entries: 5 }], missing: [] });
  });

  it('rebuilds the tree at a differential: unchanged files from the full, deleted ones left out, oldest first', () => {
    chain();
    expect(plansOf(250)).toEqual({
      plans: [
        { id: `${C}_100`, paths: ['/d/b', '/d/e'], entries: 2 },
        { id: `${C}_200`, paths: ['/d'], entries: 3 },
      ],
      missing: [],
      ordered: true,
    });
  });

  it('reads each unchanged file from the newest image holding that version (cumulative, then differential)', () => {
    chain();
    expect(plansOf(450)).toEqual({
      plans: [
        { id: `${C}_100`, paths: ['/d/b'], entries: 1 },
        { id: `${C}_300`, paths: ['/d/a', '/d/e', '/d/n'], entries: 3 },
        { id: `${C}_400`, paths: ['/d'], entries: 1 },
      ],
      missing: [],
      ordered: true,
    });
  });

  it('does not take a different version of a path from an older image: the path is reported missing', () => {
    backup(100, 'FULL', [dir, a1]);
    backup(200, 'INCR', [dir, same(v('a', 1, 10, { ctime: 1 }))]);
    expect(plansOf(250)).toEqual({ plans: [{ id: `${C}_200`, paths: ['/d'], entries: 1 }], missing: ['/d/a'], ordered: true });
  });

  it('does not look into other policies or past the full for the chain', () => {
    backup(50, 'FULL', [dir, b1], 'Other');
    backup(80, 'FULL', [dir, c1]);
    backup(100, 'FULL', [dir, a1]);
    backup(200, 'INCR', [dir, same(a1), same(b1), same(c1)]);
    const r = plansOf(250);
    expect(r.plans.map((p) => [p.id, p.paths])).toEqual([[`${C}_100`, ['/d/a']], [`${C}_200`, ['/d']]]);
    expect(r.missing.sort()).toEqual(['/d/b', '/d/c']);
  });
});

describe('listing across a full and incrementals', () => {
  it('lists the tree as it was: unchanged files included, deleted ones not', () => {
    chain();
    const names = (until: number) => listFiles(store, { client: C, path: '/d', until }).map((f) => f.file.path).sort();
    expect(names(150)).toEqual(['/d', '/d/a', '/d/b', '/d/c', '/d/e']);
    expect(names(250)).toEqual(['/d', '/d/a', '/d/b', '/d/e', '/d/n']);
    const e = listFiles(store, { client: C, path: '/d/e', depth: 0, until: 450 })[0]!;
    expect(e).toMatchObject({ backupid: `${C}_400`, file: { ctime: 1_699_790_900, mode: 0o100600 } });
    expect('inImage' in e.file).toBe(false);
  });
});

describe('image file pages', () => {
  it('pages through every record with its in-image flag and resumes where the last page ended', () => {
    chain();
    const pager = new ImageFilePager(store);
    const got: FileRecord[] = [];
    let start: number | undefined = 0;
    let pages = 0;
    while (start !== undefined) {
      const p: { files: FileRecord[]; next?: number } = pager.page(`${C}_200`, start, 2);
      got.push(...p.files);
      start = p.next;
      pages++;
    }
    pager.close();
    expect(pages).toBe(3);
    expect(got.map((f) => [f.path, f.inImage])).toEqual([
      ['/', 0], ['/d', 1], ['/d/a', 1], ['/d/b', 0], ['/d/e', 0], ['/d/n', 1],
    ]);
    expect(pager.page(`${C}_200`, 4, 100).files.map((f) => f.path)).toEqual(['/d/e', '/d/n']);
  });
});

describe('multiple data streams', () => {
  // Two streams of policy S: /d/s1 and /d/s2. Stream 2's full is newer than stream 1's, so stream 1's
  // incremental must look past it for its base. t=200/201: x unchanged, y edited, z deleted.
  const s1 = file('/d/s1', 'd', { ino: 20 }), s2 = file('/d/s2', 'd', { ino: 30 });
  const x = file('/d/s1/x', 'f', { ino: 21, size: 1 });
  const y1 = file('/d/s2/y', 'f', { ino: 31, size: 2 }), z = file('/d/s2/z', 'f', { ino: 32, size: 3 });
  const y2 = file('/d/s2/y', 'f', { ino: 31, size: 4, ctime: 1_699_790_950 });
  function streams(): void {
    const put = (t: number, schedType: SchedType, streamNumber: number, files: FileRecord[]) => {
      const id = `${C}_${t}`;
      store.createImage(image(C, t, { schedType, policy: 'S', streamNumber }));
      store.addFiles(id, files);
      store.addFragment(id, fragment(1));
      store.commitImage({ backupid: id, kbytes: 1, numFiles: files.length, elapsed: 1, backupStatus: 0 });
    };
    put(100, 'FULL', 1, [s1, x]);
    put(101, 'FULL', 2, [s2, y1, z]);
    put(200, 'INCR', 1, [s1, same(x)]);
    put(201, 'INCR', 2, [s2, y2]);
  }

  it('restores a common parent from every stream, each incremental from its own stream\'s chain', () => {
    streams();
    const r = resolveRestore(store, { client: C, paths: ['/d'], until: 250 });
    expect(r.missing).toEqual([]);
    expect(r.ordered).toBe(true);
    expect(r.plans.map((p) => [p.image.backupid, p.paths])).toEqual([
      [`${C}_100`, ['/d/s1/x']],
      [`${C}_200`, ['/d']],
      [`${C}_201`, ['/d']],
    ]);
  });

  it('restores the fulls of both streams at the earlier date, and a path of one stream from that stream alone', () => {
    streams();
    expect(resolveRestore(store, { client: C, paths: ['/d'], until: 150 }).plans.map((p) => p.image.backupid)).toEqual([`${C}_100`, `${C}_101`]);
    expect(resolveRestore(store, { client: C, paths: ['/d/s2/y'], until: 250 }).plans.map((p) => p.image.backupid)).toEqual([`${C}_201`]);
  });

  it('lists every stream\'s files at a date, without the deleted one', () => {
    streams();
    const names = (until: number) => listFiles(store, { client: C, path: '/d', depth: -1, until }).map((f) => f.file.path).sort();
    expect(names(150)).toEqual(['/d', '/d/s1', '/d/s1/x', '/d/s2', '/d/s2/y', '/d/s2/z']);
    expect(names(250)).toEqual(['/d', '/d/s1', '/d/s1/x', '/d/s2', '/d/s2/y']);
  });
});
