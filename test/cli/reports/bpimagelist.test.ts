import { formatImagesLong, formatImagesUser, USER_HEADER } from '../../../src/cli/reports/bpimagelist.js';
import { fragment, image } from '../../master/bpdbm/fixtures.js';

process.env.TZ = 'UTC';

const img = image('host1', 1_700_000_123, {
  elapsed: 12, kbytes: 2048, numFiles: 3, numFragments: 2, expiration: 1_701_209_723,
  fragments: [fragment(2), fragment(1)],
});

describe('bpimagelist report', () => {
  it('-l prints IMAGE, HISTO and FRAG records in VA17904 order', () => {
    const lines = formatImagesLong([img]).split('\n');
    expect(lines[0]).toBe(
      'IMAGE host1 0 0 8 host1_1700000123 openbp-default 0 *NULL* root default-user 2 1 1700000123 12 1701209723 0 0 2048 3 1 2 0 ' +
      'openbp-default_1700000123_UBAK.f *NULL* *NULL* 0 1 0 0 0 *NULL* 0 0 0 0 0 0 0 *NULL* 0 0 0 0 7 0 0 0 0 0',
    );
    expect(lines[1]).toBe('HISTO -1 -1 -1 -1 -1 -1 -1 -1 -1 -1');
    expect(lines[2]).toBe('FRAG 1 1 1024 0 0 0 0 /stu/default/host_1700000000_C1_F1 master 262144 0 1700000000 0 0 *NULL* 1701209600 0 1 0 0 0 0 0 0 0 0 *NULL* *NULL* 0 0 0 0 0 0 0');
    expect(lines[3]!.split(' ')[2]).toBe('2');
    expect(lines[0]!.split(' ')).toHaveLength(50);
    expect(lines[2]!.split(' ')).toHaveLength(36);
    expect(lines[4]).toBe('');
  });
  it('-U prints the user table under NetBackup\'s header', () => {
    const text = formatImagesUser([img, { ...img, schedType: 'CINC', compression: 1, policy: 'weekly', numFiles: 123456, kbytes: 98765432, expiration: 2147483647 }]);
    expect(text).toBe(
      [
        ...USER_HEADER,
        '11/14/2023 22:15  11/28/2023        3     2048  N  User Backup  openbp-default',
        '11/14/2023 22:15  INFINITY     123456 98765432  Y  Cumulative I weekly',
        '',
      ].join('\n'),
    );
    const [header, rule, row] = text.split('\n');
    // Columns sit under the rule's dashes.
    expect(rule!.slice(28, 37)).toBe(' --------');
    expect(header!.indexOf('Files') + 5).toBe(29 + 8);
    expect(row!.slice(18, 28)).toBe('11/28/2023');
  });
});
