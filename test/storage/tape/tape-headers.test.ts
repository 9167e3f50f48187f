// Golden bytes of the frozen tape header layouts (MH, BH, EH): offsets, magic, and the whole record's sha256.

import crypto from 'node:crypto';
import zlib from 'node:zlib';
import { decodeMediaHeader, encodeMediaHeader } from '../../../src/storage/tape/media-header.js';
import { decodeHeader, encodeBackupHeader, encodeEmptyHeader } from '../../../src/storage/tape/backup-header.js';

const sha = (b: Uint8Array) => crypto.createHash('sha256').update(b).digest('hex');

/** The same header as layout version 1 wrote it (version field 1, crc recomputed). */
function asVersion1(b: Buffer): Buffer {
  const v1 = Buffer.from(b);
  v1.writeUInt32BE(1, 0x10);
  v1.writeUInt32BE(zlib.crc32(v1.subarray(0, 1020)), 1020);
  return v1;
}

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
    expect(b.subarray(0x10, 0x28).toString('hex')).toBe('00000002' + '00000001' + '000000006553f100' + '00000003' + '00000058');
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

  it('BH version 2: the image description at 0x48, 0x4C, 0x200, 0x280, 0x300; golden bytes; round trip', () => {
    const image = { client: 'client1', policy: 'Daily', policyType: 0, schedLabel: 'full', schedType: 4 };
    const b = encodeBackupHeader({ ...bh, image });
    expect(b.subarray(0x48, 0x50).toString('hex')).toBe('00000004' + '00000000');
    expect(b.toString('latin1', 0x200, 0x205)).toBe('Daily');
    expect(b.toString('latin1', 0x280, 0x284)).toBe('full');
    expect(b.toString('latin1', 0x300, 0x307)).toBe('client1');
    expect(sha(b)).toBe(GOLDEN.bhDescribed);
    expect(decodeHeader(b)).toEqual({ ok: true, kind: 'BH', mediaId: 'A00001', written: bh.written, header: { ...bh, image } });
  });

  it('reads version 1 headers (frozen bytes unchanged; a v1 BH has no image description)', () => {
    const m1 = asVersion1(encodeMediaHeader(mh));
    expect(sha(m1)).toBe(GOLDEN_V1.mh);
    expect(decodeMediaHeader(m1)).toEqual({ ok: true, header: mh });
    const b1 = asVersion1(encodeBackupHeader(bh));
    expect(sha(b1)).toBe(GOLDEN_V1.bh);
    expect(decodeHeader(b1)).toEqual({ ok: true, kind: 'BH', mediaId: 'A00001', written: bh.written, header: bh });
    const e1 = asVersion1(encodeEmptyHeader({ mediaId: 'A00001', written: 1_700_000_200 }));
    expect(sha(e1)).toBe(GOLDEN_V1.eh);
    const v3 = Buffer.from(b1);
    v3.writeUInt32BE(3, 0x10);
    v3.writeUInt32BE(zlib.crc32(v3.subarray(0, 1020)), 1020);
    expect(decodeHeader(v3)).toMatchObject({ ok: false, problem: 'corrupt' });
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

const GOLDEN_V1 = {
  mh: 'b281bd438daa6b0a2d4a39564fec6c1a298bcbf7f58a2d347bc3adf3ebf208eb',
  bh: 'e3651baae4da0725d0e5ce86b6a0128bb99f6e0eb65f9a678fb85aebc9c94c63',
  eh: 'c4fa93f124ea467b408f379a1e1151293965245de13edf4016b50dd373c2c441',
};

const GOLDEN = {
  mh: 'f7ae7219f9d1c02f1c39af8035a8f8ad45ded34defc6daa78063b7cdb112b4f2',
  bh: 'b76bac21a480d291655f96258177d4b68fd191f11e4037cc8f3fdc046be028b0',
  eh: 'f34ddcc9cb4102ab134ad6a48179dd64e209e50a4770faa5d23352c8ecb17963',
  bhDescribed: '0890cc523af7283ddbd560704169115bfdf83be40382b8e706ab84fa7ce290ac',
};
