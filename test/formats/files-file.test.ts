import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { BlockEncoder, FilesReader, FilesWriter, decodeBlock, encodeEntries, inImageOfFlags, parentKey, pathLevel, skimBlock, typeOfFlags, type FilesEntryInput } from '../../src/formats/files-file.js';
import { DIR, RUN, verifyBlock } from '../../src/formats/block-layout.js';
import { FormatError } from '../../src/formats/varint.js';
import { normalizeAbsolute } from '../../src/protocol/byte-path.js';
import type { FileRecord } from '../../src/protocol/records.js';

let dir: string;
beforeAll(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'openbp-f-'));
});
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

let seq = 0;
function rec(p: string, type: FileRecord['type'] = 'f', over: Partial<FilesEntryInput> = {}): FilesEntryInput {
  seq++;
  return {
    path: p,
    type,
    mode: type === 'd' ? 0o40755 : 0o100644,
    uid: 1000,
    gid: 1000,
    user: 'alice',
    group: 'staff',
    size: type === 'd' ? 0 : 12 + (seq % 7),
    mtimeNs: String(1_700_000_000_123_456_789n + BigInt(seq) * 1_000_000n),
    ctime: 1_700_000_000 + seq,
    atime: 1_700_000_100,
    ino: 5000 + seq,
    dev: 2049,
    offset: seq * 1536,
    link: '',
    ...over,
  };
}

/** A tree in walk order: /data/dA/dB/fileC, `a` × `b` directories of `c` files. */
function* tree(a: number, b: number, c: number): Generator<FilesEntryInput> {
  yield rec('/', 'd');
  yield rec('/data', 'd');
  for (let i = 0; i < a; i++) {
    const da = `/data/dir${String(i).padStart(3, '0')}`;
    yield rec(da, 'd');
    for (let j = 0; j < b; j++) {
      const db = `${da}/sub${String(j).padStart(3, '0')}`;
      yield rec(db, 'd');
      for (let k = 0; k < c; k++) yield rec(`${db}/file${k}.txt`);
    }
  }
}

function writeAll(file: string, records: Iterable<FilesEntryInput>, batch = 1000) {
  const w = FilesWriter.create(file);
  let buf: FilesEntryInput[] = [];
  for (const r of records) {
    buf.push(r);
    if (buf.length === batch) {
      w.add(buf);
      buf = [];
    }
  }
  w.add(buf);
  return w.finish();
}

describe('files file helpers', () => {
  it('keys entries by parent directory', () => {
    expect(parentKey('/')).toBe('');
    expect(parentKey('/a')).toBe('/');
    expect(parentKey('/a/b')).toBe('/a');
    expect(pathLevel('/')).toBe(0);
    expect(pathLevel('/a/b')).toBe(2);
  });
});

describe('files file', () => {
  it('round-trips every field, including negative and large values', () => {
    const file = path.join(dir, 'fields.f');
    const input: FilesEntryInput[] = [
      rec('/', 'd'),
      rec('/x', 'l', { link: '/target with space', mtimeNs: '-1500000000', ctime: -2, atime: 0 }),
      rec('/y', 'f', { size: 2 ** 52 + 3, ino: 2 ** 50, dev: 0, offset: 9_007_199_254_740_000, user: '', group: 'g', inImage: 2 }),
      rec('/z', 'h', { link: '/y', inImage: 0 }),
      rec('/dev0', 'c', { mode: 0o20600, dev: 5 }),
      rec('/p', 'p'),
      rec('/b', 'b'),
      rec('/s', 's'),
    ];
    writeAll(file, input);
    const r = FilesReader.open(file);
    const back = [...r.entries()];
    r.close();
    expect(back).toEqual(input.map((e) => ({ inImage: 1, ...e })));
  });

  it('round-trips modification times the encoder takes its number path for and those it does not', () => {
    const times = ['1700000000123456789', '1700000000123456788', '1700000000000000000', '1000000000', '999999999', '0', '1',
      '-1', '-999999999', '-1000000001', '1700000000999999999', '1500000000000000000', '1700000000000000001', '9999999999999999999',
      '99999999999999999999', '1700000001000000000', '1699999999000000001', '01700000000'];
    const input = times.map((t, i) => rec(`/t${i}`, 'f', { mtimeNs: t, ctime: 5, atime: -7 }));
    const back = decodeBlock(encodeEntries(input), input.length);
    expect(back.map((e) => e.mtimeNs)).toEqual(times.map((t) => BigInt(t).toString()));
    expect(back.map((e) => [e.ctime, e.atime])).toEqual(times.map(() => [5, -7]));
  });

  it('decodes runs of close and distant modification times, across second boundaries and 1970, as BigInt arithmetic would', () => {
    let seed = 7;
    const rand = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
    let t = 1_700_000_000_000_000_000n;
    const times: string[] = [];
    for (let i = 0; i < 3000; i++) {
      const r = rand();
      // mostly deltas under a second either way, some of hours, some jumps of years (past 7 varint bytes), some to around 0
      if (r < 0.7) t += BigInt(Math.floor((rand() - 0.5) * 2e9));
      else if (r < 0.9) t += BigInt(Math.floor((rand() - 0.5) * 2e13));
      else if (r < 0.97) t += BigInt(Math.floor((rand() - 0.5) * 1e17));
      else t = BigInt(Math.floor((rand() - 0.5) * 4e9));
      times.push(t.toString());
    }
    const input = times.map((m, i) => rec(`/r${String(i).padStart(5, '0')}`, 'f', { mtimeNs: m, ctime: 1, atime: 2 }));
    expect(decodeBlock(encodeEntries(input), input.length).map((e) => e.mtimeNs)).toEqual(times);
  });

  it('skims a block to the same paths and flags as a full decode, and encodes entries back', () => {
    const input: FilesEntryInput[] = [
      rec('/', 'd', { inImage: 0 }),
      rec('/x', 'l', { link: '/target with space', mtimeNs: '-1500000000', ctime: -2, atime: 0 }),
      rec('/y', 'f', { size: 2 ** 52 + 3, ino: 2 ** 50, offset: 9_007_199_254_740_000, user: '', group: 'g', inImage: 2 }),
      rec('/y2', 'f', { user: 'alice', group: 'g' }),
      rec('/z\xff', 'h', { link: '/y', inImage: 0 }),
    ];
    const payload = encodeEntries(input);
    const full = decodeBlock(payload, input.length);
    expect(full).toEqual(input.map((e) => ({ inImage: 1, ...e })));
    const skim = skimBlock(payload, input.length);
    expect(skim.paths).toEqual(input.map((e) => e.path));
    expect([...skim.flags].map((f) => [typeOfFlags(f), inImageOfFlags(f)])).toEqual(full.map((e) => [e.type, e.inImage]));
    expect(() => skimBlock(payload.subarray(0, payload.length - 3), input.length)).toThrow();
  });

  it('verifies a block from another process: its layout is that of its paths; any damage is a FormatError', () => {
    const input: FilesEntryInput[] = [
      rec('/', 'd', { inImage: 0 }),
      rec('/x', 'l', { link: '/target', user: 'bob' }),
      rec('/y', 'f', { user: 'bob', group: 'staff', inImage: 0 }),
      rec('/y\xff', 'h', { link: '/y' }),
    ];
    const payload = encodeEntries(input);
    expect(verifyBlock(payload, input.length)).toEqual({ count: 4, plain: true, kinds: [RUN, DIR, RUN], keys: ['', '/', '/'] });
    const bad = (b: Buffer, n = input.length) => {
      try {
        verifyBlock(b, n);
      } catch (e) {
        return e instanceof FormatError ? 'FormatError' : String(e);
      }
      return 'accepted';
    };
    // Every truncation, a byte too many, a wrong count.
    for (let cut = 0; cut < payload.length; cut++) expect([cut, bad(payload.subarray(0, cut))]).toEqual([cut, 'FormatError']);
    expect(bad(Buffer.concat([payload, Buffer.from([0])]))).toBe('FormatError');
    expect(bad(payload, input.length + 1)).toBe('FormatError');
    expect(bad(payload, 0)).toBe('FormatError');
    // A type index outside "fdlhpcbs", a user reference to a name the block never gave, a prefix longer than the previous path.
    const flagsAt = 1 + 1 + 1; // shared 0, path length 1, "/"
    expect(bad(Buffer.from(payload).fill(0x09, flagsAt, flagsAt + 1))).toBe('FormatError');
    const second = encodeEntries([rec('/a', 'f', { user: 'u', group: 'u' })]);
    const userAt = 1 + 1 + 2 + 1 + 3 + 2 + 2; // shared, len, "/a", flags, mode 0o100644 (3 bytes), uid 1000, gid 1000
    expect(second[userAt]).toBe(0); // a new name
    const dangling = Buffer.from(second);
    dangling[userAt] = 5;
    expect(bad(dangling, 1)).toBe('FormatError');
    const prefix = Buffer.from(second);
    prefix[0] = 3;
    expect(bad(prefix, 1)).toBe('FormatError');
  });

  it("verifies a block's layout as its decoded paths give it: a run a parent, each directory, plain only when every path is normal", () => {
    // The layout computed from the decoded entries with parentKey and normalizeAbsolute (what bpdbm did per entry).
    const expected = (entries: readonly FilesEntryInput[]) => {
      const kinds: number[] = [];
      const keys: string[] = [];
      let prev: string | undefined;
      for (const e of entries) {
        const key = parentKey(e.path);
        if (key === '' || key !== prev) {
          kinds.push(RUN);
          keys.push(key);
        }
        prev = key;
        if (e.type === 'd') {
          kinds.push(DIR);
          keys.push(e.path);
        }
      }
      const plain = entries.every((e) => e.path.startsWith('/') && normalizeAbsolute(e.path) === e.path && (e.inImage ?? 1) <= 1);
      return { count: entries.length, plain, kinds, keys };
    };
    for (const paths of [['a'], ['/x/y', 'b'], ['/x/y', 'x/z', 'x/w'], ['/', '/'], ['/a', '/'], ['//a', '/a/']]) {
      const entries = paths.map((p) => rec(p, 'd'));
      expect(verifyBlock(encodeEntries(entries), entries.length)).toEqual(expected(entries));
    }
    const names = ['a', 'b', 'ab', 'a.b', '..', '.x', 'z\xff', 'd\x01e', 'x'.repeat(300), 'y'.repeat(700)];
    const odd = ['', '.', '/']; // make '//', '/./', a trailing '/' or '/.'
    let state = 7;
    const rand = (n: number) => ((state = (state * 1103515245 + 12345) % 2 ** 31), state % n);
    for (let round = 0; round < 300; round++) {
      const bad = round % 3 === 0;
      const entries: FilesEntryInput[] = [];
      let cur = ['data'];
      for (let i = 0, n = 1 + rand(40); i < n; i++) {
        const r = rand(10);
        if (r < 2 && cur.length > 1) cur = cur.slice(0, 1 + rand(cur.length - 1)); // up
        else if (r < 4) cur = [...cur, names[rand(names.length)]!]; // down
        let p = '/' + [...cur, names[rand(names.length)]!].join('/');
        if (bad && rand(8) === 0) p = rand(2) ? p + odd[rand(3)]! : p.replace('/', odd[rand(3)]! === '/' ? '//' : '/./');
        if (rand(40) === 0) p = p.slice(1); // relative
        if (rand(60) === 0) p = '/';
        entries.push(rec(p, rand(4) === 0 ? 'd' : 'f', { inImage: rand(30) === 0 ? 2 : rand(2) ? 1 : 0 }));
      }
      const payload = encodeEntries(entries);
      expect([round, verifyBlock(payload, entries.length)]).toEqual([round, expected(entries)]);
    }
  });

  it('appends encoded blocks as they are: the same entries and directory index as add() of the records', () => {
    const records = [...tree(3, 4, 120)];
    const viaAdd = path.join(dir, 'via-add.f');
    writeAll(viaAdd, records, 500);
    const viaBlocks = path.join(dir, 'via-blocks.f');
    const w = FilesWriter.create(viaBlocks);
    w.add(records.slice(0, 3)); // a few records first, as bpdbm does for ancestors
    const enc = new BlockEncoder();
    const flush = () => {
      const payload = Buffer.from(enc.sink.take());
      w.addBlock(payload, verifyBlock(payload, enc.count));
      enc.reset();
    };
    for (const r of records.slice(3)) {
      enc.add(r);
      if (enc.sink.len >= 4000) flush();
    }
    flush();
    expect(w.finish().entries).toBe(records.length);
    const a = FilesReader.open(viaAdd);
    const b = FilesReader.open(viaBlocks);
    expect([...b.entries()]).toEqual([...a.entries()]);
    for (const q of ['/', '/data', '/data/dir001', '/data/dir002/sub003', '/data/dir000/sub001/file7.txt']) {
      expect([q, b.list(q, 1)]).toEqual([q, a.list(q, 1)]);
      expect([q, b.list(q, Infinity)]).toEqual([q, a.list(q, Infinity)]);
    }
    a.close();
    b.close();
  });

  it('walks a subtree block by block, passing whole blocks on encoded', () => {
    const file = path.join(dir, 'runs.f');
    writeAll(file, tree(4, 5, 300), 100);
    const r = FilesReader.open(file);
    const runs = [...r.walkBlocks('/data/dir002', Infinity)];
    expect(runs.flatMap((x) => x.entries().map((e) => e.path))).toEqual(r.list('/data/dir002', Infinity).map((e) => e.path));
    expect(runs.reduce((n, x) => n + x.count, 0)).toBe(1 + 5 + 1500);
    for (const x of runs) expect(decodeBlock(x.encoded(), x.count)).toEqual(x.entries());
    r.close();
  });

  it('round-trips names made of every byte value', () => {
    const file = path.join(dir, 'bytes.f');
    const names: string[] = [];
    for (let b = 1; b < 256; b++) if (b !== 0x2f) names.push('/odd/' + String.fromCharCode(b) + 'x' + String.fromCharCode(b));
    names.push('/odd/' + Array.from({ length: 255 }, (_, i) => String.fromCharCode(i + 1)).filter((c) => c !== '/').join(''));
    names.push('/odd/new\nline', '/odd/tab\there', '/odd/back\\slash', '/odd/\xff\xfe invalid utf8');
    const input = [rec('/odd', 'd'), ...names.map((n) => rec(n))];
    writeAll(file, input, 7);
    const r = FilesReader.open(file);
    expect([...r.entries()].map((e) => e.path)).toEqual(input.map((e) => e.path));
    expect(r.list('/odd', 1).map((e) => e.path)).toEqual(input.map((e) => e.path));
    expect(r.list('/odd/new\nline', 1).map((e) => e.path)).toEqual(['/odd/new\nline']);
    r.close();
  });

  it('lists a path, its children, a depth, a subtree', () => {
    const file = path.join(dir, 'small.f');
    writeAll(file, tree(3, 3, 4), 5);
    const r = FilesReader.open(file);
    expect(r.entryCount).toBe(2 + 3 + 9 + 36);
    expect(r.list('/data/dir001', 0).map((e) => e.path)).toEqual(['/data/dir001']);
    expect(r.list('/data/dir001', 1).map((e) => e.path)).toEqual(['/data/dir001', '/data/dir001/sub000', '/data/dir001/sub001', '/data/dir001/sub002']);
    expect(r.list('/data/dir001', 2)).toHaveLength(1 + 3 + 12);
    expect(r.list('/data/dir001', Infinity)).toHaveLength(1 + 3 + 12);
    expect(r.list('/', 1).map((e) => e.path)).toEqual(['/', '/data']);
    expect(r.list('/', Infinity)).toHaveLength(r.entryCount);
    expect(r.list('/data/dir001/sub002/file3.txt', 1).map((e) => e.path)).toEqual(['/data/dir001/sub002/file3.txt']);
    expect(r.list('/data/dir00', 5)).toEqual([]);
    expect(r.list('/nope', 5)).toEqual([]);
    expect(r.has('/data/dir002/sub000')).toBe(true);
    expect(r.has('/data/dir002/sub000/file0.txt')).toBe(true);
    expect(r.has('/data/dir00')).toBe(false);
    expect(r.countSubtree('/data/dir000')).toBe(16);
    expect(r.listCaseInsensitive('/DATA/Dir001', 1)).toHaveLength(4);
    r.close();
  });

  it('refuses a file without its trailer (writer did not finish)', () => {
    const file = path.join(dir, 'partial.f');
    const w = FilesWriter.create(file);
    w.add([...tree(1, 1, 3)]);
    w.abandon();
    expect(() => FilesReader.open(file)).toThrow(/incomplete|too short/);
  });

  it('scales: 200k entries, small per entry, one directory listed quickly', () => {
    const file = path.join(dir, 'big.f');
    const t0 = Date.now();
    const sum = writeAll(file, tree(20, 100, 100), 2000);
    const writeMs = Date.now() - t0;
    const n = 2 + 20 + 2000 + 200_000;
    expect(sum.entries).toBe(n);
    const perEntry = fs.statSync(file).size / n;
    // eslint-disable-next-line no-console
    console.log(`.f: ${n} entries, ${(perEntry).toFixed(1)} bytes/entry, write ${writeMs} ms`);
    expect(perEntry).toBeLessThanOrEqual(100);
    const t1 = Date.now();
    const r = FilesReader.open(file);
    const kids = r.list('/data/dir013/sub077', 1);
    const listMs = Date.now() - t1;
    expect(kids).toHaveLength(101);
    expect(kids[0]!.path).toBe('/data/dir013/sub077');
    expect(listMs).toBeLessThan(200);
    const t2 = Date.now();
    expect(r.list('/data/dir013', 1)).toHaveLength(101);
    expect(r.list('/data/dir013', Infinity)).toHaveLength(1 + 100 + 10_000);
    const subMs = Date.now() - t2;
    expect(subMs).toBeLessThan(2000);
    r.close();
  });
});
