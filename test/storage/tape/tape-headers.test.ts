// Golden bytes of the frozen tape header layouts (MH, BH, EH): offsets, magic, and the whole record's sha256.

import crypto from 'node:crypto';
import { decodeMediaHeader, encodeMediaHeader } from '../../../src/storage/tape/media-header.js';
import { decodeHeader, encodeBackupHeader, encodeEmptyHeader } from '../../../src/storage/tape/backup-header.js';

const sha = (b: Uint8Array) => crypto.createHash('sha256').update(b).digest('hex');

describe('tape headers', () => {
  const mh = { mediaId: 'A00001', created: 1_700_000_000, retentionLevel: 3, densityCode: 0x58, pool: 'NetBackup', host: 'media1' };
  const bh = {
    mediaId: 'A00001', written: 1_700_000_100, backupid: 'client1_1700000000', copy: 1, fragment: 2,
    streamOffset: 3 * 65536, blockSize: 65536, flags: 1, fileNumber: 2, retentionLevel: 3, expiration: 1_800_000_000,
  };

  it('MH: VOL1 + media ID at 0, magic at 0x70, fields at frozen offsets, round trip', () => {
    const b = encodeMediaHeader(mh);
    expect(b.length).toBe(1024);
    expect(b.toString('latin1', 0, 10)).toBe('VOL1A00001');
    expect(b.toString('latin1', 0x70, 0x88)).toBe('ThIs Is A BP tApE hEaDer');
    expect(b.subarray(0x10, 0x28).toString('hex')).toBe('00000001' + '00000001' + '000000006553f100' + '00000003' + '00000058');
    expect(b.toString('latin1', 0x28, 0x31)).toBe('NetBackup');
    expect(b.toString('latin1', 0x88, 0x8e)).toBe('openbp');
    expect(sha(b)).toBe(GOLDEN.mh);
    expect(decodeMediaHeader(b)).toEqual({ ok: true, header: mh });
  });

  it('BH and EH: golden bytes and round trip', () => {
    const b = encodeBackupHeader(bh);
    expect(b.toString('latin1', 0, 10)).toBe('BHDRA00001');
    expect(b.subarray(0x20, 0x48).toString('hex')).toBe(
      '00000001' + '00000002' + '0000000000030000' + '00010000' + '00000001' + '00000002' + '00000003' + '000000006b49d200',
    );
    expect(b.toString('latin1', 0x100, 0x112)).toBe('client1_1700000000');
    expect(sha(b)).toBe(GOLDEN.bh);
    expect(decodeHeader(b)).toEqual({ ok: true, kind: 'BH', mediaId: 'A00001', written: bh.written, header: bh });
    const e = encodeEmptyHeader({ mediaId: 'A00001', written: 1_700_000_200 });
    expect(e.toString('latin1', 0, 10)).toBe('EHDRA00001');
    expect(sha(e)).toBe(GOLDEN.eh);
    expect(decodeHeader(e)).toEqual({ ok: true, kind: 'EH', mediaId: 'A00001', written: 1_700_000_200 });
  });

  it('rejects foreign and corrupt records', () => {
    expect(decodeHeader(Buffer.alloc(1024))).toMatchObject({ ok: false, problem: 'foreign' });
    expect(decodeHeader(Buffer.alloc(512))).toMatchObject({ ok: false, problem: 'foreign' });
    const b = encodeMediaHeader(mh);
    b[0x30] ^= 1;
    expect(decodeMediaHeader(b)).toMatchObject({ ok: false, problem: 'corrupt' });
    expect(decodeMediaHeader(encodeEmptyHeader({ mediaId: 'A00001', written: 1 }))).toMatchObject({ ok: false, problem: 'not-mh' });
  });
});

const GOLDEN = {
  mh: 'b281bd438daa6b0a2d4a39564fec6c1a298bcbf7f58a2d347bc3adf3ebf208eb',
  bh: 'e3651baae4da0725d0e5ce86b6a0128bb99f6e0eb65f9a678fb85aebc9c94c63',
  eh: 'c4fa93f124ea467b408f379a1e1151293965245de13edf4016b50dd373c2c441',
};
