// From lstat to what the stream and the catalogue keep: a TarEntry and a FileRecord.

import type { FileRecord, FileType } from '../protocol/records.js';
import type { EntryType, TarEntry } from './tar-entry.js';
import type { IdNames } from './id-names.js';
import { STAT } from '../native/sys.js';
import type { NodeStat } from './node-stat.js';

/** The tar entry type for a file, or 'socket' (which tar cannot store). */
export function entryTypeOf(st: NodeStat): EntryType | 'socket' {
  if (st.isFile()) return 'file';
  if (st.isDirectory()) return 'directory';
  if (st.isSymbolicLink()) return 'symlink';
  if (st.isFIFO()) return 'fifo';
  if (st.isCharacterDevice()) return 'char';
  if (st.isBlockDevice()) return 'block';
  return 'socket';
}

/** glibc's major()/minor() of a dev_t. */
export function splitDev(rdev: bigint): { major: number; minor: number } {
  const major = ((rdev >> 8n) & 0xfffn) | ((rdev >> 32n) & ~0xfffn);
  const minor = (rdev & 0xffn) | ((rdev >> 12n) & ~0xffn);
  return { major: Number(major), minor: Number(minor) };
}

/** The stream path of an absolute path: without the leading '/', like GNU tar ('.' for '/'). */
export function streamPathOf(abs: string): string {
  let i = 0;
  while (abs.charCodeAt(i) === 0x2f) i++; // leading slashes go (no regular expression: once a file)
  return i === abs.length ? '.' : abs.slice(i);
}

export function captureEntry(streamPath: string, type: EntryType, st: NodeStat, names: IdNames, linkpath = ''): TarEntry {
  const uid = st.uid;
  const gid = st.gid;
  const dev = type === 'char' || type === 'block' ? splitDev(BigInt(st.rdev)) : { major: 0, minor: 0 };
  return {
    path: streamPath,
    type,
    mode: st.mode & 0o7777,
    uid,
    gid,
    uname: names.userName(uid),
    gname: names.groupName(gid),
    size: type === 'file' ? st.size : 0,
    mtimeNs: st.mtimeNs,
    linkpath,
    devmajor: dev.major,
    devminor: dev.minor,
  };
}

/** A regular file's entry from the addon's numeric fstat (openForBackup): no BigIntStats on the hot path. */
export function captureFileEntry(streamPath: string, st: Float64Array, names: IdNames): TarEntry {
  const uid = st[STAT.uid]!;
  const gid = st[STAT.gid]!;
  return {
    path: streamPath,
    type: 'file',
    mode: st[STAT.mode]! & 0o7777,
    uid,
    gid,
    uname: names.userName(uid),
    gname: names.groupName(gid),
    size: st[STAT.size]!,
    mtimeNs: BigInt(st[STAT.mtimeSec]!) * 1_000_000_000n + BigInt(st[STAT.mtimeNsec]!),
    linkpath: '',
    devmajor: 0,
    devminor: 0,
  };
}

/** Whole seconds of a (sec, nsec) time as BigInt division of its nanoseconds gives them (towards zero). */
function secondsOf(sec: number, nsec: number): number {
  return sec < 0 && nsec > 0 ? sec + 1 : sec;
}

/** The catalogue's node fields of a numeric fstat (the same values fileRecordOf takes from BigIntStats). */
export function nodeFieldsOf(st: Float64Array): NodeFields {
  return {
    ctime: secondsOf(st[STAT.ctimeSec]!, st[STAT.ctimeNsec]!),
    atime: secondsOf(st[STAT.atimeSec]!, st[STAT.atimeNsec]!),
    ino: st[STAT.ino]!,
    dev: st[STAT.dev]!,
  };
}

const CATALOGUE_TYPE: Record<EntryType, FileType> = {
  file: 'f',
  directory: 'd',
  symlink: 'l',
  hardlink: 'h',
  fifo: 'p',
  char: 'c',
  block: 'b',
};

/** The catalogue's one-letter type of an entry type. */
export function catalogueTypeOf(type: EntryType): FileType {
  return CATALOGUE_TYPE[type];
}

/** What the catalogue keeps of a file beyond its tar entry: seconds since the epoch, inode and device. */
export interface NodeFields {
  readonly ctime: number;
  readonly atime: number;
  readonly ino: number;
  readonly dev: number;
}

/** The catalogue record of an entry; `link` is the symlink target or, for hard links, the first path (absolute). */
export function recordOfEntry(absPath: string, entry: TarEntry, node: NodeFields, offset: number, link: string): FileRecord {
  return {
    path: absPath,
    type: CATALOGUE_TYPE[entry.type],
    mode: entry.mode,
    uid: entry.uid,
    gid: entry.gid,
    user: entry.uname,
    group: entry.gname,
    size: entry.type === 'file' ? entry.size : 0,
    mtimeNs: entry.mtimeNs.toString(),
    ctime: node.ctime,
    atime: node.atime,
    ino: node.ino,
    dev: node.dev,
    offset,
    link,
  };
}

/** The catalogue record of a file bpbkar read: times, inode and device from its lstat. */
export function fileRecordOf(absPath: string, entry: TarEntry, st: NodeStat, offset: number, link: string): FileRecord {
  const node = { ctime: st.ctimeSeconds, atime: st.atimeSeconds, ino: st.ino, dev: st.dev };
  return recordOfEntry(absPath, entry, node, offset, link);
}
