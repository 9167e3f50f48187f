import { encodeEntryHeader } from '../../src/archive/tar-writer.js';
import { plainHeaderPlan, writePlainHeader } from '../../src/archive/plain-header.js';
import { makeEntry, type TarEntry } from '../../src/archive/tar-entry.js';
import { Readable } from 'node:stream';
import { TarReader, type ReadEntry } from '../../src/archive/tar-reader.js';

/** The fast path's bytes for an entry (null when it declines), written among garbage to catch missed zeroing. */
function fast(entry: TarEntry): Buffer | null {
  const plan = plainHeaderPlan(entry);
  if (!plan) return null;
  const buf = Buffer.alloc(plan.size + 64, 0xa5);
  writePlainHeader(plan, buf, 32);
  expect(buf[31]).toBe(0xa5);
  expect(buf[32 + plan.size]).toBe(0xa5);
  return buf.subarray(32, 32 + plan.size);
}

describe('plain entry headers written in place', () => {
  const long = `${'d'.repeat(60)}/${'e'.repeat(90)}/${'f'.repeat(99)}`;
  const cases: Array<[string, TarEntry]> = [
    ['file with whole-second mtime', makeEntry({ path: 'a/b.txt', type: 'file', size: 12, mode: 0o640, uid: 1000, gid: 100, uname: 'alice', gname: 'users', mtimeNs: 1_700_000_000n * 1_000_000_000n })],
    ['file with ns mtime', makeEntry({ path: 'a/b.txt', type: 'file', size: 65536, mtimeNs: 1_700_000_000_000_000_001n, uname: 'root', gname: 'root' })],
    ['empty file', makeEntry({ path: 'x', type: 'file', size: 0, mtimeNs: 999_999_999n })],
    ['directory', makeEntry({ path: 'srv/data', type: 'directory', mode: 0o2775, mtimeNs: 1_600_000_000_500_000_000n })],
    ['root directory', makeEntry({ path: '.', type: 'directory', mtimeNs: 5n })],
    ['symlink', makeEntry({ path: 'l', type: 'symlink', linkpath: '../target file', mtimeNs: 1_000_000_000_123n })],
    ['hard link', makeEntry({ path: 'h', type: 'hardlink', linkpath: 'a/b.txt', mtimeNs: 7_000_000_000n })],
    ['fifo', makeEntry({ path: 'p', type: 'fifo', mtimeNs: 1n })],
    ['char device', makeEntry({ path: 'dev/null', type: 'char', devmajor: 1, devminor: 3, mtimeNs: 1n })],
    ['name split into prefix', makeEntry({ path: `${'p'.repeat(120)}/${'n'.repeat(90)}`, type: 'file', size: 3, mtimeNs: 1_000_000_001n })],
    ['name needing a pax path record', makeEntry({ path: long, type: 'file', size: 1, mtimeNs: 2_000_000_000n })],
    ['long name and ns mtime', makeEntry({ path: `${'z'.repeat(300)}`, type: 'directory', mtimeNs: 2_000_000_002n })],
    ['100-byte name', makeEntry({ path: 'q'.repeat(100), type: 'file', size: 1, mtimeNs: 3_000_000_000n })],
    ['largest octal numbers', makeEntry({ path: 'big', type: 'file', size: 0o77777777777, uid: 0o7777777, gid: 0o7777777, mtimeNs: 0o77777777777n * 1_000_000_000n + 9n })],
    ['32-byte user name', makeEntry({ path: 'u', type: 'file', uname: 'u'.repeat(32), gname: 'g'.repeat(32), mtimeNs: 10n })],
  ];

  it.each(cases)('%s: the same bytes as encodeEntryHeader', (_name, entry) => {
    const got = fast(entry);
    expect(got).not.toBeNull();
    expect(got!.equals(encodeEntryHeader(entry))).toBe(true);
  });

  it('same bytes for many generated entries', () => {
    let seed = 42;
    const rnd = (n: number) => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      return seed % n;
    };
    const types = ['file', 'directory', 'symlink', 'fifo'] as const;
    let compared = 0;
    for (let i = 0; i < 2000; i++) {
      const parts = Array.from({ length: 1 + rnd(8) }, () => 'abcdefghij/._- '.slice(0, 1 + rnd(14)).replace(/^\/+/, 'x') + 'k'.repeat(rnd(60)));
      const entry = makeEntry({
        path: parts.join('/'),
        type: types[rnd(4)]!,
        size: rnd(3) === 0 ? 0 : rnd(1 << 30),
        mode: rnd(0o10000),
        uid: rnd(70000),
        gid: rnd(70000),
        uname: 'user'.slice(0, rnd(5)),
        gname: 'group'.slice(0, rnd(6)),
        mtimeNs: BigInt(rnd(2 ** 31)) * 1_000_000_000n + (rnd(2) === 0 ? 0n : BigInt(rnd(1_000_000_000))),
      });
      if (entry.type === 'symlink') entry.linkpath = 'target/'.repeat(rnd(14));
      if (entry.type !== 'file') entry.size = 0;
      const got = fast(entry);
      if (!got) continue;
      compared++;
      expect(got.equals(encodeEntryHeader(entry))).toBe(true);
    }
    expect(compared).toBeGreaterThan(1800);
  });

  it('declines entries the general encoder must handle', () => {
    const base = makeEntry({ path: 'f', type: 'file', mtimeNs: 1n });
    expect(plainHeaderPlan({ ...base, path: 'caf\xe9' })).toBeNull();
    expect(plainHeaderPlan({ ...base, path: 'tab\there' })).toBeNull();
    expect(plainHeaderPlan({ ...base, type: 'symlink', linkpath: 'l'.repeat(101) })).toBeNull();
    expect(plainHeaderPlan({ ...base, uname: 'u'.repeat(33) })).toBeNull();
    expect(plainHeaderPlan({ ...base, uid: 0o10000000 })).toBeNull();
    expect(plainHeaderPlan({ ...base, size: 0o100000000000 })).toBeNull();
    expect(plainHeaderPlan({ ...base, mtimeNs: -1n })).toBeNull();
    expect(plainHeaderPlan({ ...base, extra: { 'SCHILY.xattr.user.a': 'b' } })).toBeNull();
    expect(plainHeaderPlan({ ...base, sparse: [{ offset: 0, length: 1 }] })).toBeNull();
    expect(plainHeaderPlan({ ...base, atimeNs: 1n })).toBeNull();
  });

  it('reads back with its nanosecond mtime and long name', async () => {
    const entry = makeEntry({ path: `${'a'.repeat(200)}/b`, type: 'file', size: 0, mtimeNs: 1_700_000_000_000_000_007n, uname: 'root' });
    const header = fast(entry)!;
    const stream = Buffer.concat([header, Buffer.alloc(1024)]);
    const reader = new TarReader(Readable.from([stream]));
    const r = (await reader.next()) as ReadEntry;
    expect(r.entry.path).toBe(entry.path);
    expect(r.entry.mtimeNs).toBe(entry.mtimeNs);
    expect(r.entry.uname).toBe('root');
    expect(await reader.next()).toBeNull();
  });
});
