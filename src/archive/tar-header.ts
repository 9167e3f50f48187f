// One 512-byte ustar header block: field layout, checksum, encode and decode (no pax logic here).

import { BLOCK } from './tar-entry.js';
import { readNumeric, writeBase256, writeOctal } from './numeric-fields.js';

export interface UstarFields {
  name: Buffer;
  mode: number;
  uid: number;
  gid: number;
  size: number;
  /** Seconds since the epoch. */
  mtime: number;
  /** One character: '0' file, '1' hard link, '2' symlink, '3' char, '4' block, '5' dir, '6' fifo, 'x' pax, 'g' global pax ... */
  typeflag: string;
  linkname: Buffer;
  uname: Buffer;
  gname: Buffer;
  devmajor: number;
  devminor: number;
  prefix: Buffer;
}

export class TarHeaderError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'TarHeaderError';
  }
}

// [offset, width] of each field (POSIX.1-1988 ustar).
const F = {
  name: [0, 100],
  mode: [100, 8],
  uid: [108, 8],
  gid: [116, 8],
  size: [124, 12],
  mtime: [136, 12],
  chksum: [148, 8],
  typeflag: [156, 1],
  linkname: [157, 100],
  magic: [257, 6],
  version: [263, 2],
  uname: [265, 32],
  gname: [297, 32],
  devmajor: [329, 8],
  devminor: [337, 8],
  prefix: [345, 155],
} as const;

export const USTAR_LIMITS = { name: 100, linkname: 100, uname: 32, gname: 32, prefix: 155 } as const;

function putBytes(buf: Buffer, field: readonly [number, number], value: Buffer): void {
  value.copy(buf, field[0], 0, Math.min(value.length, field[1]));
}

function putNumber(buf: Buffer, field: readonly [number, number], value: number): void {
  if (!writeOctal(buf, field[0], field[1], value)) writeBase256(buf, field[0], field[1], value);
}

/** The header's checksum: the sum of its bytes, the chksum field counting as eight spaces. */
function unsignedChecksum(block: Buffer): number {
  let sum = 8 * 0x20;
  for (let i = 0; i < 148; i++) sum += block[i]!;
  for (let i = 156; i < BLOCK; i++) sum += block[i]!;
  return sum;
}

/** The same sum over signed bytes, which some old tars wrote. */
function signedChecksum(block: Buffer): number {
  let sum = 8 * 0x20;
  for (let i = 0; i < BLOCK; i++) {
    if (i >= 148 && i < 156) continue;
    const b = block[i]!;
    sum += b > 127 ? b - 256 : b;
  }
  return sum;
}

/** Encodes a ustar header block; numbers too large for octal are written in GNU base-256. */
export function encodeUstarHeader(f: UstarFields, target: Buffer = Buffer.alloc(BLOCK), at = 0): Buffer {
  const buf = target.subarray(at, at + BLOCK);
  buf.fill(0);
  putBytes(buf, F.name, f.name);
  putNumber(buf, F.mode, f.mode);
  putNumber(buf, F.uid, f.uid);
  putNumber(buf, F.gid, f.gid);
  putNumber(buf, F.size, f.size);
  putNumber(buf, F.mtime, f.mtime);
  buf.write(f.typeflag, F.typeflag[0], 1, 'latin1');
  putBytes(buf, F.linkname, f.linkname);
  buf.write('ustar\u000000', F.magic[0], 8, 'latin1');
  putBytes(buf, F.uname, f.uname);
  putBytes(buf, F.gname, f.gname);
  putNumber(buf, F.devmajor, f.devmajor);
  putNumber(buf, F.devminor, f.devminor);
  putBytes(buf, F.prefix, f.prefix);
  const sum = unsignedChecksum(buf);
  buf.write(sum.toString(8).padStart(6, '0'), F.chksum[0], 6, 'latin1');
  buf[F.chksum[0] + 6] = 0;
  buf[F.chksum[0] + 7] = 0x20;
  return buf;
}

function cString(buf: Buffer, field: readonly [number, number]): Buffer {
  const start = field[0];
  const end = start + field[1];
  let i = start;
  while (i < end && buf[i] !== 0) i++;
  return buf.subarray(start, i);
}

function num(buf: Buffer, field: readonly [number, number], name: string): number {
  const v = readNumeric(buf, field[0], field[1]);
  if (Number.isNaN(v)) throw new TarHeaderError(`invalid ${name} field in tar header`);
  return v;
}

export function isZeroBlock(block: Buffer): boolean {
  for (let i = 0; i < BLOCK; i++) if (block[i] !== 0) return false;
  return true;
}

/**
 * Decodes a header block; null for an all-zero block (archive end). Throws TarHeaderError on a bad checksum. The
 * byte fields (name, linkname, uname, gname, prefix) are slices of `block`, not copies.
 */
export function decodeUstarHeader(block: Buffer): (UstarFields & { ustar: boolean }) | null {
  if (block.length < BLOCK) throw new TarHeaderError('short tar header');
  if (isZeroBlock(block)) return null;
  const stored = readNumeric(block, F.chksum[0], F.chksum[1]);
  // The signed sum (old tars) is worked out only when the unsigned one does not match.
  if (stored !== unsignedChecksum(block) && stored !== signedChecksum(block)) throw new TarHeaderError('tar header checksum mismatch');
  const magic = block.toString('latin1', F.magic[0], F.magic[0] + 5);
  const ustar = magic === 'ustar';
  const typeByte = block[F.typeflag[0]]!;
  return {
    name: cString(block, F.name),
    mode: num(block, F.mode, 'mode'),
    uid: num(block, F.uid, 'uid'),
    gid: num(block, F.gid, 'gid'),
    size: num(block, F.size, 'size'),
    mtime: num(block, F.mtime, 'mtime'),
    typeflag: typeByte === 0 ? '0' : String.fromCharCode(typeByte),
    linkname: cString(block, F.linkname),
    uname: ustar ? cString(block, F.uname) : Buffer.alloc(0),
    gname: ustar ? cString(block, F.gname) : Buffer.alloc(0),
    devmajor: ustar ? num(block, F.devmajor, 'devmajor') : 0,
    devminor: ustar ? num(block, F.devminor, 'devminor') : 0,
    // GNU (old) format uses the prefix area for atime/ctime; only POSIX ustar ("ustar\0") has a prefix.
    prefix: ustar && block[F.magic[0] + 5] === 0 ? cString(block, F.prefix) : Buffer.alloc(0),
    ustar,
  };
}
