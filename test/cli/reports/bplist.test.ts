import { formatBplist, modeString } from '../../../src/cli/reports/bplist.js';
import { file } from '../../master/bpdbm/fixtures.js';

process.env.TZ = 'UTC';

const bt = Date.UTC(2023, 10, 13, 1, 2, 3) / 1000;
const entries = [
  { backupid: 'h_1', backupTime: bt, file: file('/etc', 'd') },
  { backupid: 'h_1', backupTime: bt, file: file('/etc/passwd') },
  { backupid: 'h_1', backupTime: bt, file: file('/etc/odd\xff\nname', 'f', { user: '', uid: 1234, group: 'wheel', size: 12345678901 }) },
];

describe('bplist report', () => {
  it('prints one path per line, directories with a trailing slash, raw bytes', () => {
    const out = formatBplist(entries, { long: false, backupTimes: false });
    expect(out.equals(Buffer.concat([Buffer.from('/etc/\n/etc/passwd\n'), Buffer.from([...Buffer.from('/etc/odd'), 0xff, 0x0a, ...Buffer.from('name\n')])]))).toBe(true);
  });
  it('prints -l like ls -l, month day time as fields 5 6 7', () => {
    const text = formatBplist(entries.slice(0, 2), { long: true, backupTimes: false }).toString('latin1');
    expect(text).toBe(
      'drwxr-xr-x root     root                0 Nov 12 12:05 /etc/\n' +
      '-rw-r--r-- root     root             3004 Nov 12 12:05 /etc/passwd\n',
    );
    const fields = text.split('\n')[1]!.split(/\s+/);
    expect([fields[4], fields[5], fields[6]]).toEqual(['Nov', '12', '12:05']);
    const odd = formatBplist(entries.slice(2), { long: true, backupTimes: true }).toString('latin1');
    expect(odd).toBe('-rw-r--r-- 1234     wheel     12345678901 Nov 13 01:02 /etc/odd\xff\nname\n');
  });
  it('prints backup times without -l', () => {
    expect(formatBplist(entries.slice(1, 2), { long: false, backupTimes: true }).toString()).toBe('11/13/2023 01:02:03 /etc/passwd\n');
  });
  it('spells modes as ls does', () => {
    expect(modeString('f', 0o104755)).toBe('-rwsr-xr-x');
    expect(modeString('d', 0o41777)).toBe('drwxrwxrwt');
    expect(modeString('f', 0o102644)).toBe('-rw-r-Sr--');
    expect(modeString('l', 0o120777)).toBe('lrwxrwxrwx');
  });
});
