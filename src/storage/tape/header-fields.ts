// The frame every openbp tape header shares: 1024 bytes, a tag at 0, the BP magic at 0x70, a crc32 at the end.
//
// FROZEN, version 2 (version 1 is read too). Offsets below never move; a new field takes reserved bytes and
// bumps HEADER_VERSION. Version 2 added the image description fields of the BH (backup-header.ts).
// Integers are big-endian unsigned. Strings are ASCII/UTF-8, padded as stated, never terminated beyond the pad.
//
//   0x000  4   tag: "VOL1" (media header), "BHDR" (backup header), "EHDR" (empty header)
//   0x004  6   media ID, ASCII, space-padded (as in VOL1 labels)
//   0x00A  6   reserved (0)
//   0x010  u32 layout version (HEADER_VERSION)
//   0x014  u32 header type: 1 MH, 2 BH, 3 EH
//   0x018  u64 time written, seconds since the epoch
//   0x020 ..0x06F  type-specific (see media-header.ts, backup-header.ts)
//   0x070  24  "ThIs Is A BP tApE hEaDer" (NetBackup's magic; marks a BP data tape record)
//   0x088 ..0x3FB  type-specific / reserved (0)
//   0x3FC  u32 crc32 (zlib) of bytes 0x000..0x3FB

import zlib from 'node:zlib';
import { BP_HEADER_MAGIC, BP_HEADER_OFFSET } from './tap-tools.js';

export const HEADER_BYTES = 1024;
export const HEADER_VERSION = 2;
/** The oldest layout version still read (1: BH without the image description). */
export const OLDEST_HEADER_VERSION = 1;
export const HEADER_TYPE = { MH: 1, BH: 2, EH: 3 } as const;
export type HeaderType = (typeof HEADER_TYPE)[keyof typeof HEADER_TYPE];
export const HEADER_TAG: Record<HeaderType, string> = { 1: 'VOL1', 2: 'BHDR', 3: 'EHDR' };
const CRC_AT = HEADER_BYTES - 4;

/** The fields every header carries. */
export interface HeaderCommon {
  readonly mediaId: string;
  /** Seconds since the epoch. */
  readonly written: number;
}

/** Starts a header: tag, media ID, version, type, time and the magic. The caller fills its fields, then seal(). */
export function frame(type: HeaderType, c: HeaderCommon): Buffer {
  if (!/^[\x21-\x7e]{1,6}$/.test(c.mediaId)) throw new RangeError(`media ID ${JSON.stringify(c.mediaId)} must be 1..6 printable ASCII characters`);
  const b = Buffer.alloc(HEADER_BYTES);
  b.write(HEADER_TAG[type], 0, 'latin1');
  b.write(c.mediaId.padEnd(6, ' '), 4, 'latin1');
  b.writeUInt32BE(HEADER_VERSION, 0x10);
  b.writeUInt32BE(type, 0x14);
  b.writeBigUInt64BE(BigInt(c.written), 0x18);
  b.write(BP_HEADER_MAGIC, BP_HEADER_OFFSET, 'latin1');
  return b;
}

export function seal(b: Buffer): Buffer {
  b.writeUInt32BE(zlib.crc32(b.subarray(0, CRC_AT)), CRC_AT);
  return b;
}

/** Writes a string into a fixed, NUL-padded field; throws when it does not fit. */
export function putString(b: Buffer, at: number, len: number, s: string): void {
  const bytes = Buffer.from(s, 'utf8');
  if (bytes.length > len) throw new RangeError(`${JSON.stringify(s)} is longer than ${len} bytes`);
  bytes.copy(b, at);
}

export function getString(b: Buffer, at: number, len: number): string {
  const f = b.subarray(at, at + len);
  const end = f.indexOf(0);
  return f.subarray(0, end < 0 ? len : end).toString('utf8');
}

/** Why a record is not an openbp header: 'foreign' (no magic, wrong size or tag), 'corrupt' (magic but bad crc/version). */
export type HeaderProblem = 'foreign' | 'corrupt';

export type Framed = { ok: true; type: HeaderType; version: number; common: HeaderCommon; b: Buffer } | { ok: false; problem: HeaderProblem; detail: string };

/** Checks the frame of a record read from tape and returns its type and common fields. */
export function unframe(rec: Uint8Array): Framed {
  const b = Buffer.from(rec.buffer, rec.byteOffset, rec.length);
  if (b.length !== HEADER_BYTES) return { ok: false, problem: 'foreign', detail: `record of ${b.length} bytes is not a ${HEADER_BYTES}-byte header` };
  if (b.toString('latin1', BP_HEADER_OFFSET, BP_HEADER_OFFSET + BP_HEADER_MAGIC.length) !== BP_HEADER_MAGIC) return { ok: false, problem: 'foreign', detail: 'no BP tape header magic at 0x70' };
  if (b.readUInt32BE(CRC_AT) !== zlib.crc32(b.subarray(0, CRC_AT))) return { ok: false, problem: 'corrupt', detail: 'header checksum mismatch' };
  const version = b.readUInt32BE(0x10);
  if (version < OLDEST_HEADER_VERSION || version > HEADER_VERSION) return { ok: false, problem: 'corrupt', detail: `header layout version ${version} is not ${OLDEST_HEADER_VERSION}..${HEADER_VERSION}` };
  const type = b.readUInt32BE(0x14);
  if (type !== 1 && type !== 2 && type !== 3) return { ok: false, problem: 'corrupt', detail: `header type ${type}` };
  if (b.toString('latin1', 0, 4) !== HEADER_TAG[type]) return { ok: false, problem: 'corrupt', detail: `tag does not match header type ${type}` };
  const common = { mediaId: b.toString('latin1', 4, 10).trimEnd(), written: Number(b.readBigUInt64BE(0x18)) };
  return { ok: true, type, version, common, b };
}
