import { parseImageHeader, serializeImageHeader, imageFieldTokens, fragFieldTokens, IMAGE_FIELDS, FRAG_FIELDS } from '../../src/formats/image-header.js';
import { backupIdOf, ctimeBucket, imagePaths, parseBackupId, parseImageBaseName } from '../../src/formats/catalog-paths.js';
import { decodeTokens, encodeToken } from '../../src/formats/tokens.js';
import { fragment, image } from '../master/bpdbm/fixtures.js';

const GOLDEN = `HEADER_VERSION 1
CLIENT_NAME host1
DATE1 0
DATE2 0
IMAGE_VERSION 8
BACKUP_ID host1_1700000123
POLICY_NAME openbp-default
CLIENT_TYPE 0
PROXY_CLIENT *NULL*
CREATOR root
SCHED_LABEL default-user
SCHED_TYPE 2
RETENTION_LEVEL 1
BACKUP_TIME 1700000123
ELAPSED 12
EXPIRATION 1701209723
COMPRESSION 0
ENCRYPTION 0
KBYTES 2048
NUM_FILES 3
COPIES 1
NUM_FRAGMENTS 2
FILES_COMPRESSED 0
FILES_FILE openbp-default_1700000123_UBAK.f
SW_VERSION *NULL*
NAME1 *NULL*
OPTIONS 0
PRIMARY_COPY 1
IMAGE_TYPE 0
TIR_INFO 0
TIR_EXPIRATION 0
KEYWORD "nightly run"
MPX 0
EXT_SECURITY_INFO 0
RAW 0
DUMP_LEVEL 0
FILESYS_ONLY 0
PREV_BLOCK_INCR_TIME 0
BLOCK_INCR_FULL_TIME 0
OBJECT_DESC *NULL*
REQUEST_PID 0
BACKUP_STATUS 0
BACKUP_COPY 0
PREV_IMAGE 0
JOB_ID 7
NUM_RESUMES 0
RESUME_EXPIRATION 0
FILES_FILE_SIZE 0
PFI_TYPE 0
IMAGE_ATTRIB 0
STORAGE_UNIT openbp-default-disk
FRAGMENT 1 1 1024 0 0 0 0 "/stu/my disk/host1_1700000123_C1_F1" master 262144 0 1700000000 0 0 *NULL* 1701209600 0 1 0 0 0 0 0 0 0 0 *NULL* *NULL* 0 0 0 0 0 0 0 0 1048576 ${'ab'.repeat(32)}
FRAGMENT 1 2 1024 0 0 0 0 /stu/default/host_1700000000_C1_F2 master 262144 0 1700000000 0 0 *NULL* 1701209600 0 1 0 0 0 0 0 0 0 0 *NULL* *NULL* 0 0 0 0 0 0 0 1048576 1048576 ${'ab'.repeat(32)}
`;

const sample = image('host1', 1_700_000_123, {
  elapsed: 12,
  expiration: 1_701_209_723,
  kbytes: 2048,
  numFiles: 3,
  numFragments: 2,
  keyword: 'nightly run',
  fragments: [fragment(1, { mediaId: '/stu/my disk/host1_1700000123_C1_F1' }), fragment(2)],
});

describe('image header', () => {
  it('writes the golden text', () => {
    expect(serializeImageHeader(sample)).toBe(GOLDEN);
  });
  it('parses it back', () => {
    expect(parseImageHeader(GOLDEN)).toEqual(sample);
  });
  it('has VA17904 field counts and order', () => {
    expect(IMAGE_FIELDS).toHaveLength(49);
    expect(FRAG_FIELDS).toHaveLength(35);
    expect(imageFieldTokens(sample).slice(0, 6)).toEqual(['host1', '0', '0', '8', 'host1_1700000123', 'openbp-default']);
    expect(fragFieldTokens(sample.fragments[0]!)[7]).toBe('"/stu/my disk/host1_1700000123_C1_F1"');
  });
  it('ignores unknown keys, refuses newer versions and missing keys', () => {
    expect(parseImageHeader(GOLDEN.replace('MPX 0\n', 'MPX 0\nFUTURE_KEY x\n'))).toEqual(sample);
    expect(() => parseImageHeader(GOLDEN.replace('HEADER_VERSION 1', 'HEADER_VERSION 2'))).toThrow(/newer/);
    expect(() => parseImageHeader(GOLDEN.replace(/^KBYTES.*\n/m, ''))).toThrow(/KBYTES/);
    expect(() => parseImageHeader('garbage')).toThrow();
  });
  it('keeps the stream number of a multi-stream image after the golden keys, and reads headers without it', () => {
    const text = serializeImageHeader({ ...sample, streamNumber: 3 });
    expect(text).toBe(GOLDEN.replace(/^(STORAGE_UNIT .*\n)/m, '$1STREAM_NUMBER 3\n'));
    expect(parseImageHeader(text)).toEqual({ ...sample, streamNumber: 3 });
    expect(parseImageHeader(GOLDEN)).not.toHaveProperty('streamNumber');
  });
});

describe('tokens', () => {
  it('round-trips awkward strings', () => {
    const values = ['', 'plain', 'with space', '*NULL*', 'q"uote', 'back\\slash', 'new\nline\ttab', '\xff\x00\x7f', 'é→'];
    const line = values.map(encodeToken).join(' ');
    expect(line).not.toMatch(/\n/);
    expect(decodeTokens(line)).toEqual(values);
  });
});

describe('catalogue paths', () => {
  it('follows the NetBackup layout', () => {
    expect(ctimeBucket(1_700_000_123)).toBe('1700000000');
    expect(ctimeBucket(999_999)).toBe('0000000000');
    expect(backupIdOf('host_a', 1_700_000_123)).toBe('host_a_1700000123');
    expect(parseBackupId('host_a_1700000123')).toEqual({ client: 'host_a', ctime: 1_700_000_123 });
    expect(parseImageBaseName('my_pol_1700000123_CINC')).toEqual({ policy: 'my_pol', ctime: 1_700_000_123, sched: 'CINC' });
    const p = imagePaths('/h/db/images', { client: 'c', policy: 'p', backupTime: 1_030_638_194, schedType: 'FULL' });
    expect(p.header).toBe('/h/db/images/c/1030000000/p_1030638194_FULL');
    expect(p.files).toBe('/h/db/images/c/1030000000/p_1030638194_FULL.f');
  });
});
