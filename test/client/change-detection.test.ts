// The incremental decision: a file is written when new or when type, size, mtime, ctime or inode differ.

import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import { TarReader } from '../../src/archive/tar-reader.js';
import { recordsOf, runBpbkar } from './run-client.js';
import { changeOf, readBaseFiles, walkOrder, type BaseFiles } from '../../src/client/bpbkar/base-files.js';
import { FilesWriter, type FilesEntryInput } from '../../src/formats/files-file.js';
import { sameVersion } from '../../src/protocol/file-identity.js';
import type { FileRecord } from '../../src/protocol/records.js';

const rec = (over: Partial<FileRecord> = {}): FileRecord => ({
  path: '/data/a', type: 'f', mode: 0o100644, uid: 0, gid: 0, user: 'root', group: 'root', size: 100,
  mtimeNs: '1700000000123456789', ctime: 1_700_000_000, atime: 1_700_000_500, ino: 77, dev: 2049, offset: 0, link: '', ...over,
});
const base: BaseFiles = { get: (p) => (p === '/data/a' ? rec() : undefined), close: () => {} };

describe('change detection', () => {
  it('writes a path the base does not hold (new, renamed or moved in)', () => {
    expect(changeOf(base, rec({ path: '/data/renamed' }))).toBe('new');
  });
  it.each<[string, Partial<FileRecord>]>([
    ['size', { size: 101 }],
    ['mtime', { mtimeNs: '1700000000123456790' }],
    ['ctime (metadata only: chmod, chown)', { ctime: 1_700_000_001, mode: 0o100600 }],
    ['inode (file replaced)', { ino: 78 }],
    ['type', { type: 'l' }],
    ['mode (chmod in the same second: ctime is kept in seconds)', { mode: 0o100600 }],
    ['owner', { uid: 1000 }],
    ['group', { gid: 1000 }],
  ])('writes a file whose %s changed', (_what, over) => {
    expect(changeOf(base, rec(over))).toBe('changed');
  });
  it('only records a file whose identity is the same, whatever its atime or offset', () => {
    expect(changeOf(base, rec({ atime: 1_800_000_000, offset: 5120 }))).toBe('unchanged');
  });
  it('never calls a missing base the same version', () => {
    expect(sameVersion(undefined, rec())).toBe(false);
  });
});

describe('the base read alongside the walk', () => {
  let dir: string;
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'obp-base-'));
  });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  /** Walk order: pre-order, names by bytes, a directory before what it holds. */
  const walked = ['/d', '/d/a', '/d/a/x', '/d/a/y', '/d/a-b', '/d/a\xff', '/d/b', '/d/b/z', '/e'];
  const writeF = (paths: string[]) => {
    const file = path.join(dir, `base-${Math.random()}.f`);
    const w = FilesWriter.create(file);
    w.add(paths.map((p, i) => ({ ...rec({ path: p, ino: i + 1 }), type: ['/d', '/d/a', '/d/b'].includes(p) ? 'd' : 'f' }) as FilesEntryInput));
    w.finish();
    return file;
  };

  it('orders paths component by component, by bytes, ancestors first', () => {
    expect([...walked].reverse().sort(walkOrder)).toEqual(walked);
    expect(walkOrder('/d/a', '/d/a')).toBe(0);
  });

  it('finds each file in walk order, skips what the walk no longer has, and keeps no directory', async () => {
    const b = await readBaseFiles(writeF(walked));
    expect(b.get('/d/a/x')?.ino).toBe(3);
    expect(b.get('/d/a-a')).toBeUndefined(); // new: between two base records
    expect(b.get('/d/a\xff')?.ino).toBe(6); // /d/a/y and /d/a-b deleted since
    expect(b.get('/d/b')).toBeUndefined(); // a directory
    expect(b.get('/e')?.ino).toBe(9);
    expect(b.get('/f')).toBeUndefined();
    b.close();
  });

  it('answers the same when the lookups leave walk order (selections listed in another order)', async () => {
    const b = await readBaseFiles(writeF(walked));
    expect(b.get('/e')?.ino).toBe(9);
    expect(b.get('/d/a/y')?.ino).toBe(4);
    expect(b.get('/d/a/x')?.ino).toBe(3);
    b.close();
  });

  it('never takes one file for another in a base written in another order: what lies before its place is written again', async () => {
    const b = await readBaseFiles(writeF(['/e', '/d/a/x', '/d/b/z', '/d/a\xff']));
    expect(['/d/a/x', '/d/a\xff', '/d/b/z', '/e'].map((p) => b.get(p)?.ino)).toEqual([undefined, undefined, undefined, 1]);
    // Past /e the base is seen out of order: from then on a map of all of it answers.
    expect(['/d/a/x', '/d/a\xff', '/d/b/z', '/e'].map((p) => b.get(p)?.ino)).toEqual([2, 4, 3, 1]);
    b.close();
  });
});

describe('bpbkar with a base (real process)', () => {
  it('writes directories and changed files, records unchanged ones with inImage 0', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'obp-bkinc-'));
    try {
      const top = path.join(dir, 'data');
      fs.mkdirSync(path.join(top, 'sub'), { recursive: true });
      for (const n of ['same', 'edited', 'chmodded', 'sub/same']) fs.writeFileSync(path.join(top, n), `${n}\n`);
      const spec = { jobid: 1, backupid: 'h_1', client: 'h', paths: [top] };
      const full = await runBpbkar(dir, spec);
      expect(full.status).toBe(0);
      const records = recordsOf(full);
      const baseFile = path.join(dir, 'base.ndjson');
      fs.writeFileSync(baseFile, records.map((r) => JSON.stringify(r)).join('\n') + '\n');

      fs.writeFileSync(path.join(top, 'edited'), 'edited, longer\n');
      fs.chmodSync(path.join(top, 'chmodded'), 0o600);
      fs.renameSync(path.join(top, 'sub', 'same'), path.join(top, 'sub', 'moved'));
      const incr = await runBpbkar(dir, { ...spec, backupid: 'h_2', baseFiles: baseFile });
      expect(incr.status).toBe(0);
      const got = recordsOf(incr);
      const flag = Object.fromEntries(got.map((r) => [path.relative(top, r.path) || '.', r.inImage ?? 1]));
      expect(flag).toEqual({ '.': 1, chmodded: 1, edited: 1, same: 0, sub: 1, 'sub/moved': 1 });
      const names: string[] = [];
      const reader = new TarReader(Readable.from([incr.stdout]));
      for (let r = await reader.next(); r !== null; r = await reader.next()) if ('entry' in r) names.push(path.relative(top.slice(1), r.entry.path.replace(/\/$/, '')) || '.');
      expect(names.sort()).toEqual(['.', 'chmodded', 'edited', 'sub', 'sub/moved']);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
