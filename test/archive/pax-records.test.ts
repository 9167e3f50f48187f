import { decodePaxRecords, encodePaxRecords, formatPaxTime, parsePaxTime, PaxFormatError } from '../../src/archive/pax-records.js';

describe('pax records', () => {
  it('computes self-including lengths, also across a digit boundary', () => {
    for (let n = 0; n < 120; n++) {
      const buf = encodePaxRecords([['path', Buffer.alloc(n, 0x61)]]);
      const len = Number(buf.toString('latin1').split(' ')[0]);
      expect(len).toBe(buf.length);
    }
    expect(encodePaxRecords([['path', Buffer.from('a')]]).toString()).toBe('9 path=a\n');
  });

  it('round-trips raw binary values and keeps later duplicates', () => {
    const value = Buffer.from([0x62, 0xff, 0x0a, 0x3d, 0x00, 0x20]);
    const buf = encodePaxRecords([
      ['path', Buffer.from('first')],
      ['path', value],
      ['SCHILY.xattr.user.x', Buffer.from('v')],
    ]);
    const rec = decodePaxRecords(buf);
    expect(rec.get('path')!.equals(value)).toBe(true);
    expect(rec.get('SCHILY.xattr.user.x')!.toString()).toBe('v');
  });

  it('rejects malformed records', () => {
    expect(() => decodePaxRecords(Buffer.from('99 path=a\n'))).toThrow(PaxFormatError);
    expect(() => decodePaxRecords(Buffer.from('x path=a\n'))).toThrow(PaxFormatError);
    expect(() => decodePaxRecords(Buffer.from('9 patha\n'))).toThrow(PaxFormatError);
  });

  it('formats times with full nanoseconds and parses them back', () => {
    expect(formatPaxTime(1_700_000_000_123_456_789n)).toBe('1700000000.123456789');
    expect(formatPaxTime(1_700_000_000_000_000_001n)).toBe('1700000000.000000001');
    expect(formatPaxTime(5_000_000_000n)).toBe('5');
    expect(formatPaxTime(-1_500_000_000n)).toBe('-1.500000000'); // the value -1.5 s, as GNU tar writes it
    for (const ns of [0n, 1n, 999_999_999n, 1_700_000_000_123_456_789n, -1_500_000_000n, -5n]) expect(parsePaxTime(formatPaxTime(ns))).toBe(ns);
    expect(parsePaxTime('12.5')).toBe(12_500_000_000n);
    expect(parsePaxTime('12.1234567891')).toBe(12_123_456_789n);
    expect(() => parsePaxTime('abc')).toThrow(PaxFormatError);
  });
});
