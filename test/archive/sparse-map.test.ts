// The PAX 1.0 sparse codec: map bytes as GNU tar writes them, and a sparse entry read back through TarReader.

import { decodeSparseMap, encodeSparseMap } from '../../src/archive/sparse-map.js';
import { makeEntry } from '../../src/archive/tar-entry.js';
import { TarBuilder } from '../../src/archive/tar-writer.js';
import { TarReader, isUnsupported } from '../../src/archive/tar-reader.js';
import { aclTextToXattr, aclXattrToText } from '../../src/archive/acl-text.js';
import { IdNames } from '../../src/archive/id-names.js';

async function* once(b: Buffer): AsyncGenerator<Buffer> {
  yield b;
}

describe('sparse map', () => {
  it('is encoded like GNU tar 1.34 (count, pairs, a zero-length end segment, NUL padded)', () => {
    const map = encodeSparseMap([{ offset: 0, length: 4096 }, { offset: 2998272, length: 1732 }], 3000004);
    expect(map.length).toBe(512);
    expect(map.toString('latin1').replace(/\0+$/, '')).toBe('3\n0\n4096\n2998272\n1732\n3000004\n0\n');
  });

  it('decodes across blocks and refuses segments past the real size', () => {
    const segs = Array.from({ length: 100 }, (_, i) => ({ offset: i * 1_000_000_000, length: 1 }));
    const map = encodeSparseMap(segs, 100_000_000_000);
    expect(map.length).toBeGreaterThan(512);
    expect(decodeSparseMap(map.subarray(0, 512), 100_000_000_000)).toBeNull();
    expect(decodeSparseMap(map, 100_000_000_000)).toEqual({ segments: segs, bytes: map.length });
    expect(() => decodeSparseMap(Buffer.from('1\n0\n10\n'), 5)).toThrow(/real size/);
  });

  it('round-trips a sparse entry through TarBuilder and TarReader (size stays the real size)', async () => {
    const sparse = [{ offset: 0, length: 3 }, { offset: 1 << 30, length: 4 }];
    const entry = makeEntry({ path: 'a/b/big', type: 'file', size: (1 << 30) + 10, sparse, extra: { 'SCHILY.xattr.user.k': '\u0000\u00ffv' } });
    const archive = new TarBuilder().add(entry, Buffer.from('abcWXYZ')).add(makeEntry({ path: 'after', type: 'file' }), Buffer.from('z')).finish();
    const reader = new TarReader(once(archive));
    const r = await reader.next();
    if (r === null || isUnsupported(r)) throw new Error('no entry');
    expect(r.entry.path).toBe('a/b/big');
    expect(r.entry.size).toBe((1 << 30) + 10);
    expect(r.entry.sparse).toEqual(sparse);
    expect(r.entry.extra).toEqual({ 'SCHILY.xattr.user.k': '\u0000\u00ffv' });
    const body: Buffer[] = [];
    for await (const c of reader.body()) body.push(Buffer.from(c));
    expect(Buffer.concat(body).toString()).toBe('abcWXYZ');
    const next = await reader.next();
    expect(next && !isUnsupported(next) ? next.entry.path : null).toBe('after');
  });
});

describe('ACL text', () => {
  const names = new IdNames();
  it('converts the kernel xattr form to GNU tar text and back', () => {
    const text = 'user::rw-\nuser:0:r--\ngroup::r--\ngroup:0:rwx\nmask::rwx\nother::---\n';
    const bin = aclTextToXattr(text, { uidOf: () => undefined, gidOf: () => undefined } as unknown as IdNames);
    const back = aclXattrToText(bin, { userName: () => '', groupName: () => '' } as unknown as IdNames);
    expect(back).toBe(text);
    expect(aclTextToXattr(back, names)).toEqual(bin);
  });
});
