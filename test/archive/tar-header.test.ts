import { encodeUstarHeader, decodeUstarHeader, TarHeaderError } from '../../src/archive/tar-header.js';
import { encodeEntryHeader, splitUstarName } from '../../src/archive/tar-writer.js';
import { makeEntry } from '../../src/archive/tar-entry.js';
import { readNumeric, writeBase256, writeOctal } from '../../src/archive/numeric-fields.js';

/** Golden: the header of a simple file, frozen (GNU tar lists it as -rw-r--r-- user/users 6 2023-11-14 22:13:20 hello.txt). */
const GOLDEN =
  'hello.txt<91>0000644<1>0001750<1>0001750<1>00000000006<1>14524770400<1>013122<1> 0<100>ustar<1>00user<28>users<27>0000000<1>0000000<168>';

function expand(golden: string): Buffer {
  return Buffer.from(golden.replace(/<(\d+)>/g, (_m, n: string) => '\0'.repeat(Number(n))), 'latin1');
}

describe('tar header', () => {
  it('encodes a simple entry to the golden bytes', () => {
    const e = makeEntry({ path: 'hello.txt', type: 'file', mode: 0o644, uid: 1000, gid: 1000, uname: 'user', gname: 'users', size: 6, mtimeNs: 1_700_000_000n * 1_000_000_000n });
    const h = encodeEntryHeader(e);
    expect(h.length).toBe(512);
    expect(h.equals(expand(GOLDEN))).toBe(true);
  });

  it('decodes what it encodes', () => {
    const h = decodeUstarHeader(expand(GOLDEN))!;
    expect(h.name.toString()).toBe('hello.txt');
    expect(h.mode).toBe(0o644);
    expect([h.uid, h.gid, h.size, h.mtime]).toEqual([1000, 1000, 6, 1_700_000_000]);
    expect(h.typeflag).toBe('0');
    expect([h.uname.toString(), h.gname.toString()]).toEqual(['user', 'users']);
    expect(h.ustar).toBe(true);
  });

  it('returns null for a zero block and rejects a bad checksum', () => {
    expect(decodeUstarHeader(Buffer.alloc(512))).toBeNull();
    const bad = expand(GOLDEN);
    bad[0] = 0x78;
    expect(() => decodeUstarHeader(bad)).toThrow(TarHeaderError);
  });

  it('accepts the signed checksum some old tars wrote, for a header with bytes above 127', () => {
    const block = encodeUstarHeader({ ...decodeUstarHeader(expand(GOLDEN))!, name: Buffer.from('caf\xe9', 'latin1') });
    let signed = 0;
    for (let i = 0; i < 512; i++) {
      const b = i >= 148 && i < 156 ? 0x20 : block[i]!;
      signed += b > 127 ? b - 256 : b;
    }
    block.write(`${signed.toString(8).padStart(6, '0')}\0 `, 148, 8, 'latin1');
    expect(decodeUstarHeader(block)!.name.toString('latin1')).toBe('caf\xe9');
    block.write('000001\0 ', 148, 8, 'latin1');
    expect(() => decodeUstarHeader(block)).toThrow(TarHeaderError);
  });

  it('falls back to GNU base-256 for numbers octal cannot hold, and reads them back', () => {
    const b = Buffer.alloc(12);
    expect(writeOctal(b, 0, 12, 8 ** 11)).toBe(false);
    writeBase256(b, 0, 12, 20 * 1024 ** 3);
    expect(b[0]! & 0x80).toBe(0x80);
    expect(readNumeric(b, 0, 12)).toBe(20 * 1024 ** 3);
    writeBase256(b, 0, 12, -5);
    expect(readNumeric(b, 0, 12)).toBe(-5);
    const block = encodeUstarHeader({
      name: Buffer.from('big'),
      mode: 0o600,
      uid: 0,
      gid: 0,
      size: 9 * 1024 ** 3,
      mtime: 1,
      typeflag: '0',
      linkname: Buffer.alloc(0),
      uname: Buffer.alloc(0),
      gname: Buffer.alloc(0),
      devmajor: 0,
      devminor: 0,
      prefix: Buffer.alloc(0),
    });
    expect(decodeUstarHeader(block)!.size).toBe(9 * 1024 ** 3);
  });

  it('splits long ASCII names into prefix and name at a slash', () => {
    const name = Buffer.from(`${'p'.repeat(120)}/${'n'.repeat(90)}`);
    const s = splitUstarName(name)!;
    expect(s.prefix.toString()).toBe('p'.repeat(120));
    expect(s.name.toString()).toBe('n'.repeat(90));
    expect(splitUstarName(Buffer.from('x'.repeat(101)))).toBeNull();
  });
});
