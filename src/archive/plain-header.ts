// The header of a plain entry (ASCII names, numbers that fit ustar, no xattrs, not sparse) written straight
// into the stream's staging buffer: the same bytes as encodeEntryHeader, without its intermediate Buffers.

import { BLOCK, paddingFor, type EntryType, type TarEntry } from './tar-entry.js';
import { USTAR_LIMITS } from './tar-header.js';

const TYPEFLAG: Record<EntryType, number> = {
  file: 0x30,
  hardlink: 0x31,
  symlink: 0x32,
  char: 0x33,
  block: 0x34,
  directory: 0x35,
  fifo: 0x36,
};

const OCTAL8_MAX = 0o7777777;
const OCTAL12_MAX = 0o77777777777;
const NS = 1_000_000_000n;
const PAX_NAME_BASE = 80;

/** True when every char is printable ASCII (0x20-0x7e): such names need no pax record and no stand-in. */
function printable(s: string): boolean {
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 0x20 || c > 0x7e) return false;
  }
  return true;
}

/** Where splitUstarName would split `name`: -1 when it fits the name field whole, -2 when it cannot be split. */
function splitAt(name: string): number {
  if (name.length <= USTAR_LIMITS.name) return -1;
  if (name.length > USTAR_LIMITS.name + USTAR_LIMITS.prefix + 1) return -2;
  for (let i = Math.min(name.length - 2, USTAR_LIMITS.prefix); i > 0; i--) {
    if (name.charCodeAt(i) !== 0x2f) continue;
    const rest = name.length - i - 1;
    if (rest > USTAR_LIMITS.name) return -2;
    if (rest === 0 || (rest === 1 && name.charCodeAt(name.length - 1) === 0x2f)) continue;
    return i;
  }
  return -2;
}

/** Length of one pax record "LEN key=value\n" with a value of `valueLength` bytes. */
function recordLength(key: string, valueLength: number): number {
  const body = key.length + 1 + valueLength + 1;
  let len = body + 2;
  while (String(len).length + 1 + body !== len) len = String(len).length + 1 + body;
  return len;
}

function nsText(frac: bigint): string {
  return frac.toString().padStart(9, '0');
}

/** What the fast path needs to know about an entry, worked out once by plainHeaderPlan. */
export interface PlainHeaderPlan {
  readonly entry: TarEntry;
  readonly name: string;
  /** Index of the '/' splitting prefix and name, or -1 (no prefix). -2: the name goes in a pax path record. */
  readonly split: number;
  /** The mtime record's value ("sec.nnnnnnnnn") when the time has nanoseconds, else ''. */
  readonly mtimeText: string;
  readonly seconds: number;
  /** Bytes of pax data (0: no pax header). */
  readonly paxData: number;
  /** Bytes of the whole header. */
  readonly size: number;
}

/**
 * The plan for writing `entry`'s header with writePlainHeader, or null when the entry needs the general
 * encoder (non-printable or long link/user/group names, numbers past ustar, xattrs, sparse, atime/ctime).
 */
export function plainHeaderPlan(entry: TarEntry): PlainHeaderPlan | null {
  if (entry.sparse !== undefined || entry.extra !== undefined || entry.atimeNs !== undefined || entry.ctimeNs !== undefined) return null;
  const name = entry.type === 'directory' ? `${entry.path}/` : entry.path;
  if (name.length === 0 || !printable(name) || name.charCodeAt(0) === 0x2f && name.length === 1) return null;
  if (entry.linkpath.length > USTAR_LIMITS.linkname || !printable(entry.linkpath)) return null;
  if (entry.uname.length > USTAR_LIMITS.uname || !printable(entry.uname)) return null;
  if (entry.gname.length > USTAR_LIMITS.gname || !printable(entry.gname)) return null;
  if (!inRange(entry.uid, OCTAL8_MAX) || !inRange(entry.gid, OCTAL8_MAX) || !inRange(entry.devmajor, OCTAL8_MAX) || !inRange(entry.devminor, OCTAL8_MAX)) return null;
  const size = entry.type === 'file' ? entry.size : 0;
  if (!inRange(size, OCTAL12_MAX)) return null;
  const ns = entry.mtimeNs;
  if (ns < 0n) return null;
  const seconds = Number(ns / NS);
  if (seconds > OCTAL12_MAX) return null;
  const frac = ns % NS;
  const mtimeText = frac === 0n ? '' : `${seconds}.${nsText(frac)}`;
  const split = splitAt(name);
  let paxData = 0;
  if (split === -2) paxData += recordLength('path', name.length);
  if (mtimeText !== '') paxData += recordLength('mtime', mtimeText.length);
  if (paxData > 0 && trimmedEnd(name) === 0) return null;
  const total = (paxData > 0 ? BLOCK + paxData + paddingFor(paxData) : 0) + BLOCK;
  return { entry, name, split, mtimeText, seconds, paxData, size: total };
}

function inRange(v: number, max: number): boolean {
  return Number.isSafeInteger(v) && v >= 0 && v <= max;
}

/** End of the name without trailing slashes. */
function trimmedEnd(name: string): number {
  let end = name.length;
  while (end > 0 && name.charCodeAt(end - 1) === 0x2f) end--;
  return end;
}

/** Writes up to max chars of s (bytes, one per char); returns the sum of the bytes written (for the checksum). */
function putText(buf: Buffer, at: number, s: string, max: number): number {
  const n = Math.min(s.length, max);
  let sum = 0;
  for (let i = 0; i < n; i++) {
    const c = s.charCodeAt(i) & 0xff;
    buf[at + i] = c;
    sum += c;
  }
  return sum;
}

/** Zero-padded octal in width - 1 digits and a NUL (the value fits: checked by the plan); returns the bytes' sum. */
function putOctal(buf: Buffer, at: number, width: number, value: number): number {
  let v = value;
  let sum = 0;
  for (let i = at + width - 2; i >= at; i--) {
    const c = 0x30 + (v % 8);
    buf[i] = c;
    sum += c;
    v = Math.floor(v / 8);
  }
  buf[at + width - 1] = 0;
  return sum;
}

/** "ustar\0" and "00": the sum of the magic and version bytes. */
const MAGIC_SUM = 0x75 + 0x73 + 0x74 + 0x61 + 0x72 + 0x30 + 0x30;

function putRecord(buf: Buffer, at: number, key: string, value: string): number {
  const len = recordLength(key, value.length);
  const head = `${len} ${key}=`;
  putText(buf, at, head, head.length);
  putText(buf, at + head.length, value, value.length);
  buf[at + len - 1] = 0x0a;
  return at + len;
}

/** One ustar block at `at` (zeroed first), checksum included. */
function putUstar(
  buf: Buffer,
  at: number,
  name: string,
  nameFrom: number,
  prefixEnd: number,
  mode: number,
  uid: number,
  gid: number,
  size: number,
  mtime: number,
  typeflag: number,
  e: { linkpath: string; uname: string; gname: string; devmajor: number; devminor: number } | null,
): void {
  buf.fill(0, at, at + BLOCK);
  // The checksum is the sum of the block's bytes with its own field as spaces: summed as the fields are written.
  let sum = 8 * 0x20 + typeflag + MAGIC_SUM;
  sum += putText(buf, at, nameFrom === 0 ? name : name.slice(nameFrom), USTAR_LIMITS.name);
  sum += putOctal(buf, at + 100, 8, mode);
  sum += putOctal(buf, at + 108, 8, uid);
  sum += putOctal(buf, at + 116, 8, gid);
  sum += putOctal(buf, at + 124, 12, size);
  sum += putOctal(buf, at + 136, 12, mtime);
  buf[at + 156] = typeflag;
  // magic "ustar\0" and version "00"
  buf[at + 257] = 0x75;
  buf[at + 258] = 0x73;
  buf[at + 259] = 0x74;
  buf[at + 260] = 0x61;
  buf[at + 261] = 0x72;
  buf[at + 263] = 0x30;
  buf[at + 264] = 0x30;
  if (e) {
    sum += putText(buf, at + 157, e.linkpath, USTAR_LIMITS.linkname);
    sum += putText(buf, at + 265, e.uname, USTAR_LIMITS.uname);
    sum += putText(buf, at + 297, e.gname, USTAR_LIMITS.gname);
    sum += putOctal(buf, at + 329, 8, e.devmajor);
    sum += putOctal(buf, at + 337, 8, e.devminor);
  } else {
    sum += putOctal(buf, at + 329, 8, 0);
    sum += putOctal(buf, at + 337, 8, 0);
  }
  if (prefixEnd > 0) sum += putText(buf, at + 345, name.slice(0, prefixEnd), USTAR_LIMITS.prefix);
  putOctal(buf, at + 148, 7, sum);
  buf[at + 155] = 0x20;
}

/** Writes the planned header at buf[at..at + plan.size): byte for byte what encodeEntryHeader returns. */
export function writePlainHeader(plan: PlainHeaderPlan, buf: Buffer, at: number): void {
  const { entry, name, split, seconds } = plan;
  let pos = at;
  if (plan.paxData > 0) {
    const end = trimmedEnd(name);
    const start = name.lastIndexOf('/', end - 1) + 1;
    const base = name.slice(Math.max(start, end - PAX_NAME_BASE), end);
    putUstar(buf, pos, `PaxHeaders/${base}`, 0, 0, 0o644, 0, 0, plan.paxData, seconds, 0x78, null);
    pos += BLOCK;
    let r = pos;
    if (split === -2) r = putRecord(buf, r, 'path', name);
    if (plan.mtimeText !== '') r = putRecord(buf, r, 'mtime', plan.mtimeText);
    const pad = paddingFor(plan.paxData);
    buf.fill(0, r, r + pad);
    pos = r + pad;
  }
  const fromName = split >= 0 ? split + 1 : 0;
  const prefixEnd = split >= 0 ? split : 0;
  putUstar(buf, pos, split === -2 ? name.slice(Math.max(0, name.length - USTAR_LIMITS.name)) : name, fromName, prefixEnd, entry.mode & 0o7777, entry.uid, entry.gid, entry.type === 'file' ? entry.size : 0, seconds, TYPEFLAG[entry.type], entry);
}
