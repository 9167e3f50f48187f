// The stored-block format (version 1) and the block index: golden bytes, round trips, and damage detected.

import zlib from 'node:zlib';
import { CODEC, blockChecksum, decodeFrame, encodeFrame, frameChecksum, readFrameHeader, type BlockKey } from '../../src/formats/block-frame.js';
import { blocksOfCopy, decodeIndex, encodeSection } from '../../src/formats/block-index.js';
import { OpenbpError } from '../../src/protocol/errors.js';

const ID = 'c_1700000000';
const KEY: BlockKey = { tag: '0123456789abcdef', key: Buffer.alloc(32, 7) };
const noKey = (): BlockKey => {
  throw new OpenbpError('MEDIA_READ_ERROR', 'no key');
};

function open(stored: Buffer, keyFor: (id: string) => BlockKey = () => KEY, backupid = ID): Buffer {
  const h = readFrameHeader(stored, 'test');
  expect(frameChecksum(stored)).toBe(h.checksum);
  return decodeFrame(stored, h, backupid, keyFor, 'test');
}

function status(fn: () => unknown): number | undefined {
  try {
    fn();
  } catch (e) {
    return (e as OpenbpError).status;
  }
  return undefined;
}

describe('block frame v1', () => {
  it('golden bytes: an incompressible block is stored (codec 0) behind the 64-byte header', () => {
    const { stored, checksum } = encodeFrame(Buffer.from('abc'), 5, { compress: true }, ID);
    expect(stored.toString('hex')).toBe(
      '4f42504b0100000000000003000000030000000000000005000000000000000000000000000000000000000000000000000000000000000000000000461413fc616263',
    );
    expect(checksum).toBe(0x461413fc);
    expect(open(stored).toString()).toBe('abc');
  });

  it('golden bytes: an AES-256-GCM frame written once still opens with its key', () => {
    const stored = Buffer.from(
      '4f42504b01000100000000060000000600000000000400000123456789abcdef1e438c2b59619e8daa0cf3cd3c6e79cbbec36ed2e524b7d2b4a12cb1469801ad78694a467986',
      'hex',
    );
    const h = readFrameHeader(stored, 'test');
    expect({ codec: h.codec, cipher: h.cipher, raw: h.rawLength, at: h.streamOffset, key: h.keyId }).toEqual({ codec: 0, cipher: 1, raw: 6, at: 262144, key: '0123456789abcdef' });
    expect(open(stored).toString()).toBe('secret');
  });

  it('compresses a compressible block and gives it back', () => {
    const raw = Buffer.from('openbp '.repeat(40000));
    const { stored } = encodeFrame(raw, 0, { compress: true }, ID);
    expect(readFrameHeader(stored, 't').codec).toBe(CODEC.brotli);
    expect(stored.length).toBeLessThan(raw.length / 10);
    expect(open(stored).equals(raw)).toBe(true);
  });

  it('encrypts: no plaintext in the frame; tampering, another image or a missing key is 85', () => {
    const raw = Buffer.from('PLAINTEXT-MARKER '.repeat(1000));
    const { stored } = encodeFrame(raw, 4096, { compress: true, key: KEY }, ID);
    expect(stored.includes(Buffer.from('PLAINTEXT-MARKER'))).toBe(false);
    expect(open(stored).equals(raw)).toBe(true);
    expect(status(() => open(stored, KEY ? () => KEY : noKey, 'other_1700000000'))).toBe(85);
    expect(status(() => open(stored, noKey))).toBe(85);
    const wrong: BlockKey = { tag: KEY.tag, key: Buffer.alloc(32, 8) };
    expect(status(() => open(stored, () => wrong))).toBe(85);
    const tampered = Buffer.from(stored);
    tampered[tampered.length - 1]! ^= 1;
    const h = readFrameHeader(tampered, 't');
    expect(status(() => decodeFrame(tampered, h, ID, () => KEY, 't'))).toBe(85);
  });

  it('rejects what is not a v1 frame with 85', () => {
    const { stored } = encodeFrame(Buffer.from('abc'), 0, { compress: true }, ID);
    const v2 = Buffer.from(stored);
    v2[4] = 2;
    expect(status(() => readFrameHeader(v2, 't'))).toBe(85);
    expect(status(() => readFrameHeader(Buffer.from('tar header...'), 't'))).toBe(85);
  });
});

describe('block checksum', () => {
  it('is the first 8 bytes of the sha256 (block index v1) or the BLAKE3 (v2) of the stored block', () => {
    expect(blockChecksum(Buffer.from('abc'), 'sha256')).toBe('ba7816bf8f01cfea');
    expect(blockChecksum(Buffer.from('abc'), 'blake3')).toBe('6437b3ac38465133');
  });
});

describe('block index', () => {
  const section = {
    sum: 'sha256' as const,
    framed: false, copy: 1, fragment: 2, rawOffset: 1048576, storedOffset: 1048576,
    blocks: [{ storedLength: 262144, rawLength: 262144, checksum: '0123456789abcdef' }, { storedLength: 10, rawLength: 10, checksum: 'fedcba9876543210' }],
  };

  it('golden bytes of a section: version 1 (sha256 checksums) and 2 (BLAKE3), which differ only there', () => {
    expect(encodeSection(section).toString('hex')).toBe(
      '4f4250490100000100000002000000000010000000000000001000000000000200040000000400000123456789abcdef0000000a0000000afedcba98765432105973aafe',
    );
    const v2 = encodeSection({ ...section, sum: 'blake3' });
    expect(v2.toString('hex')).toBe(
      '4f4250490200000100000002000000000010000000000000001000000000000200040000000400000123456789abcdef0000000a0000000afedcba9876543210dd763f2e',
    );
    expect(decodeIndex(v2)).toEqual([{ ...section, sum: 'blake3' }]);
    const v3 = Buffer.from(v2);
    v3[4] = 3;
    v3.writeUInt32BE(zlib.crc32(v3.subarray(0, v3.length - 4)), v3.length - 4);
    expect(status(() => decodeIndex(v3))).toBe(85);
  });

  it('round-trips, locates blocks in both streams, and ignores a torn last section', () => {
    const first = encodeSection({ ...section, fragment: 1, rawOffset: 0, storedOffset: 0, blocks: [{ storedLength: 1048576, rawLength: 1048576, checksum: '0000000000000005' }] });
    const file = Buffer.concat([first, encodeSection(section)]);
    expect(decodeIndex(file)).toEqual([expect.objectContaining({ fragment: 1 }), section]);
    const located = blocksOfCopy(decodeIndex(file), 1)!;
    expect(located.blocks.map((b) => [b.fragment, b.rawOffset, b.storedOffset, b.sum])).toEqual([[1, 0, 0, 'sha256'], [2, 1048576, 1048576, 'sha256'], [2, 1310720, 1310720, 'sha256']]);
    expect(decodeIndex(Buffer.concat([file, first.subarray(0, 20)]))).toHaveLength(2);
    const damaged = Buffer.from(file);
    damaged[40]! ^= 1;
    expect(status(() => decodeIndex(damaged))).toBe(85);
  });
});
