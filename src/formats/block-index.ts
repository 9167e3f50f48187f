// The block index of an image: every stored block's length, stream length and checksum, per fragment.
//
// Frozen format, versions 1 and 2 (they differ only in the hash of the checksums). The catalogue keeps it next
// to the image header (`<header>.blk`); bptm
// writes one section per fragment as the fragment is finished, and reads the sections back to check
// every block it reads and to map a range of the image stream to the stored blocks that hold it.
// File := section*. Section (all integers big-endian):
//   offset size field
//    0      4   magic "OBPI"
//    4      1   version: 1 (checksums are sha256 prefixes), 2 (BLAKE3 prefixes; what bptm writes)
//    5      1   form: 0 plain (stored bytes are stream bytes), 1 framed (see block-frame.ts)
//    6      2   copy number
//    8      4   fragment number
//   12      8   stream offset of the fragment's first block (image stream as the client wrote it)
//   20      8   stored offset of the fragment's first block (FragmentRecord.streamOffset)
//   28      4   block count n
//   32   n*16   per block: stored length u32, stream length u32, checksum 8 bytes (the first 8 bytes
//               of the sha256 (version 1) or BLAKE3 (version 2) of the stored block, see block-frame.ts)
//   32+16n  4   crc32 of the section's bytes before it
// A torn last section (crash while appending) fails its crc and is ignored with everything after it.

import zlib from 'node:zlib';
import { OpenbpError } from '../protocol/errors.js';
import type { SumKind } from './block-checksum.js';

export const INDEX_MAGIC = Buffer.from('OBPI', 'latin1');
const VERSION_OF: Record<SumKind, number> = { sha256: 1, blake3: 2 };
const SUM_OF: Readonly<Record<number, SumKind>> = { 1: 'sha256', 2: 'blake3' };
const HEAD = 32;
const ENTRY = 16;

export interface BlockEntry {
  readonly storedLength: number;
  readonly rawLength: number;
  /** 16 hex digits. */
  readonly checksum: string;
}

export interface IndexSection {
  /** The hash the section's checksums are prefixes of (its version). */
  readonly sum: SumKind;
  readonly framed: boolean;
  readonly copy: number;
  readonly fragment: number;
  readonly rawOffset: number;
  readonly storedOffset: number;
  readonly blocks: readonly BlockEntry[];
}

export function encodeSection(s: IndexSection): Buffer {
  const out = Buffer.alloc(HEAD + s.blocks.length * ENTRY + 4);
  INDEX_MAGIC.copy(out, 0);
  out[4] = VERSION_OF[s.sum];
  out[5] = s.framed ? 1 : 0;
  out.writeUInt16BE(s.copy, 6);
  out.writeUInt32BE(s.fragment, 8);
  out.writeBigUInt64BE(BigInt(s.rawOffset), 12);
  out.writeBigUInt64BE(BigInt(s.storedOffset), 20);
  out.writeUInt32BE(s.blocks.length, 28);
  let at = HEAD;
  for (const b of s.blocks) {
    out.writeUInt32BE(b.storedLength, at);
    out.writeUInt32BE(b.rawLength, at + 4);
    if (out.write(b.checksum, at + 8, 8, 'hex') !== 8) throw new OpenbpError('MEDIA_WRITE_ERROR', `block checksum '${b.checksum}' is not 16 hex digits`);
    at += ENTRY;
  }
  out.writeUInt32BE(zlib.crc32(out.subarray(0, at)), at);
  return out;
}

/** Parses a block index file. A bad section ends the parse when it is the torn tail; elsewhere it is 85. */
export function decodeIndex(data: Uint8Array): IndexSection[] {
  const buf = Buffer.from(data.buffer, data.byteOffset, data.length);
  const out: IndexSection[] = [];
  let at = 0;
  while (at < buf.length) {
    const left = buf.length - at;
    const n = left >= HEAD ? buf.readUInt32BE(at + 28) : 0;
    const size = HEAD + n * ENTRY + 4;
    const whole = left >= HEAD && left >= size;
    if (!whole || !buf.subarray(at, at + 4).equals(INDEX_MAGIC) || zlib.crc32(buf.subarray(at, at + size - 4)) !== buf.readUInt32BE(at + size - 4)) {
      if (!whole) break; // torn tail
      throw new OpenbpError('MEDIA_READ_ERROR', `the block index is damaged at byte ${at}`);
    }
    const sum = SUM_OF[buf[at + 4]!];
    if (sum === undefined) throw new OpenbpError('MEDIA_READ_ERROR', `block index version ${buf[at + 4]} is not supported`);
    const blocks: BlockEntry[] = new Array(n);
    for (let i = 0, p = at + HEAD; i < n; i++, p += ENTRY) {
      blocks[i] = { storedLength: buf.readUInt32BE(p), rawLength: buf.readUInt32BE(p + 4), checksum: buf.toString('hex', p + 8, p + 16) };
    }
    out.push({
      sum,
      framed: buf[at + 5] === 1,
      copy: buf.readUInt16BE(at + 6),
      fragment: buf.readUInt32BE(at + 8),
      rawOffset: Number(buf.readBigUInt64BE(at + 12)),
      storedOffset: Number(buf.readBigUInt64BE(at + 20)),
      blocks,
    });
    at += size;
  }
  return out;
}

/** One block located in both streams. */
export interface LocatedBlock extends BlockEntry {
  readonly sum: SumKind;
  readonly rawOffset: number;
  readonly storedOffset: number;
  readonly fragment: number;
}

/** The blocks of one copy, in stream order; undefined when the index has no section for it. */
export function blocksOfCopy(sections: readonly IndexSection[], copy: number): { framed: boolean; blocks: LocatedBlock[] } | undefined {
  const mine = sections.filter((s) => s.copy === copy).sort((a, b) => a.storedOffset - b.storedOffset);
  if (mine.length === 0) return undefined;
  const blocks: LocatedBlock[] = [];
  for (const s of mine) {
    let raw = s.rawOffset;
    let stored = s.storedOffset;
    for (const b of s.blocks) {
      blocks.push({ ...b, sum: s.sum, rawOffset: raw, storedOffset: stored, fragment: s.fragment });
      raw += b.rawLength;
      stored += b.storedLength;
    }
  }
  return { framed: mine[0]!.framed, blocks };
}
