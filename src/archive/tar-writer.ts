// Encodes entries as pax (POSIX.1-2001) headers: ustar where it fits, an 'x' record block where it does not.

import { BLOCK, RECORD, paddingFor, storedDataSize, type EntryType, type TarEntry } from './tar-entry.js';
import { encodeSparseMap } from './sparse-map.js';
import { encodeUstarHeader, USTAR_LIMITS } from './tar-header.js';
import { octalMax } from './numeric-fields.js';
import { encodePaxRecords, formatPaxTime, isValidUtf8 } from './pax-records.js';

const TYPEFLAG: Record<EntryType, string> = {
  file: '0',
  hardlink: '1',
  symlink: '2',
  char: '3',
  block: '4',
  directory: '5',
  fifo: '6',
};

function isPlainAscii(b: Buffer): boolean {
  for (let i = 0; i < b.length; i++) {
    const c = b[i]!;
    if (c === 0 || c > 0x7e) return false;
  }
  return true;
}

/** Splits a name into ustar prefix and name at a '/', or null when it cannot be split. */
export function splitUstarName(name: Buffer): { prefix: Buffer; name: Buffer } | null {
  if (name.length <= USTAR_LIMITS.name) return { prefix: Buffer.alloc(0), name };
  if (name.length > USTAR_LIMITS.name + USTAR_LIMITS.prefix + 1) return null;
  // The rightmost '/' that leaves a prefix of <= 155 bytes, with a non-empty name of <= 100 bytes.
  for (let i = Math.min(name.length - 2, USTAR_LIMITS.prefix); i > 0; i--) {
    if (name[i] !== 0x2f) continue;
    const rest = name.length - i - 1;
    if (rest > USTAR_LIMITS.name) return null;
    if (rest === 0 || (rest === 1 && name[name.length - 1] === 0x2f)) continue;
    return { prefix: name.subarray(0, i), name: name.subarray(i + 1) };
  }
  return null;
}

/** A printable stand-in for readers that ignore pax: non-ASCII bytes become '_', cut to `max` bytes from the end. */
function fallbackName(b: Buffer, max: number): Buffer {
  const out = Buffer.from(b.subarray(Math.max(0, b.length - max)));
  for (let i = 0; i < out.length; i++) if (out[i]! < 0x20 || out[i]! > 0x7e) out[i] = 0x5f;
  return out;
}

function paxHeaderName(entryName: Buffer): Buffer {
  let end = entryName.length;
  while (end > 0 && entryName[end - 1] === 0x2f) end--;
  const start = entryName.lastIndexOf(0x2f, end - 1) + 1;
  const base = fallbackName(entryName.subarray(start, end), 80);
  return Buffer.concat([Buffer.from('PaxHeaders/', 'latin1'), base]);
}

function clampSeconds(ns: bigint): number {
  const s = Number(ns / 1_000_000_000n);
  return Math.min(Math.max(s, 0), octalMax(12));
}

/** The pax records an entry needs (empty when ustar holds it all), in a stable order. */
export function paxRecordsFor(entry: TarEntry): Array<[string, Buffer]> {
  const records: Array<[string, Buffer]> = [];
  const name = Buffer.from(entry.type === 'directory' ? `${entry.path}/` : entry.path, 'latin1');
  const sparse = isSparse(entry);
  if (sparse) {
    // GNU tar's order: the real name and size live here, the ustar header holds a stand-in name and the stored size.
    records.push(['GNU.sparse.major', Buffer.from('1')], ['GNU.sparse.minor', Buffer.from('0')]);
    records.push(['GNU.sparse.name', name], ['GNU.sparse.realsize', Buffer.from(String(entry.size))]);
  } else if (!isPlainAscii(name) || splitUstarName(name) === null) records.push(['path', name]);
  const link = Buffer.from(entry.linkpath, 'latin1');
  if (!isPlainAscii(link) || link.length > USTAR_LIMITS.linkname) records.push(['linkpath', link]);
  const stored = storedSizeOf(entry);
  if (stored > octalMax(12)) records.push(['size', Buffer.from(String(stored))]);
  if (entry.uid > octalMax(8) || entry.uid < 0) records.push(['uid', Buffer.from(String(entry.uid))]);
  if (entry.gid > octalMax(8) || entry.gid < 0) records.push(['gid', Buffer.from(String(entry.gid))]);
  const uname = Buffer.from(entry.uname, 'latin1');
  if (!isPlainAscii(uname) || uname.length > USTAR_LIMITS.uname) records.push(['uname', uname]);
  const gname = Buffer.from(entry.gname, 'latin1');
  if (!isPlainAscii(gname) || gname.length > USTAR_LIMITS.gname) records.push(['gname', gname]);
  const ns = entry.mtimeNs;
  if (ns % 1_000_000_000n !== 0n || ns < 0n || ns / 1_000_000_000n > BigInt(octalMax(12))) records.push(['mtime', Buffer.from(formatPaxTime(ns))]);
  if (entry.atimeNs !== undefined) records.push(['atime', Buffer.from(formatPaxTime(entry.atimeNs))]);
  if (entry.ctimeNs !== undefined) records.push(['ctime', Buffer.from(formatPaxTime(entry.ctimeNs))]);
  if (entry.extra) for (const [k, v] of Object.entries(entry.extra)) records.push([k, Buffer.from(v, 'latin1')]);
  // Xattr values are binary by nature and GNU tar reads them raw: only names decide the header charset.
  if (records.some(([k, v]) => !k.startsWith('SCHILY.xattr.') && !isValidUtf8(v))) records.unshift(['hdrcharset', Buffer.from('BINARY')]);
  return records;
}

function isSparse(entry: TarEntry): boolean {
  return entry.type === 'file' && entry.sparse !== undefined;
}

/** The ustar size field's value: for a sparse file the map plus the data segments, else the body size. */
function storedSizeOf(entry: TarEntry): number {
  if (!isSparse(entry)) return entry.type === 'file' ? entry.size : 0;
  return encodeSparseMap(entry.sparse!, entry.size).length + storedDataSize(entry);
}

/** GNU tar's stand-in name for a sparse file: <dir>/GNUSparseFile.<pid>/<base> (openbp writes pid 0). */
function sparseStandInName(name: Buffer): Buffer {
  const slash = name.lastIndexOf(0x2f);
  const dir = slash < 0 ? Buffer.from('.') : name.subarray(0, slash);
  return Buffer.concat([dir, Buffer.from('/GNUSparseFile.0/'), name.subarray(slash + 1)]);
}

/**
 * Bytes of header (pax header + its data + ustar header) for an entry. For a sparse file the sparse map follows
 * (it is part of the body as readers count it), so the caller writes exactly storedDataSize(entry) bytes after this.
 */
export function encodeEntryHeader(entry: TarEntry): Buffer {
  const records = paxRecordsFor(entry);
  const realName = Buffer.from(entry.type === 'directory' ? `${entry.path}/` : entry.path, 'latin1');
  const name = isSparse(entry) ? sparseStandInName(realName) : realName;
  const parts: Buffer[] = [];
  if (records.length > 0) {
    const data = encodePaxRecords(records);
    parts.push(
      encodeUstarHeader({
        name: paxHeaderName(name),
        mode: 0o644,
        uid: 0,
        gid: 0,
        size: data.length,
        mtime: clampSeconds(entry.mtimeNs),
        typeflag: 'x',
        linkname: Buffer.alloc(0),
        uname: Buffer.alloc(0),
        gname: Buffer.alloc(0),
        devmajor: 0,
        devminor: 0,
        prefix: Buffer.alloc(0),
      }),
      data,
      Buffer.alloc(paddingFor(data.length)),
    );
  }
  const split = isPlainAscii(name) ? splitUstarName(name) : null;
  const link = Buffer.from(entry.linkpath, 'latin1');
  const uname = Buffer.from(entry.uname, 'latin1');
  const gname = Buffer.from(entry.gname, 'latin1');
  parts.push(
    encodeUstarHeader({
      name: split ? split.name : fallbackName(name, USTAR_LIMITS.name),
      prefix: split ? split.prefix : Buffer.alloc(0),
      mode: entry.mode & 0o7777,
      uid: Math.max(0, Math.min(entry.uid, octalMax(8))),
      gid: Math.max(0, Math.min(entry.gid, octalMax(8))),
      size: storedSizeOf(entry),
      mtime: clampSeconds(entry.mtimeNs),
      typeflag: TYPEFLAG[entry.type],
      linkname: isPlainAscii(link) && link.length <= USTAR_LIMITS.linkname ? link : fallbackName(link, USTAR_LIMITS.linkname),
      uname: isPlainAscii(uname) && uname.length <= USTAR_LIMITS.uname ? uname : Buffer.alloc(0),
      gname: isPlainAscii(gname) && gname.length <= USTAR_LIMITS.gname ? gname : Buffer.alloc(0),
      devmajor: entry.devmajor,
      devminor: entry.devminor,
    }),
  );
  if (isSparse(entry)) parts.push(encodeSparseMap(entry.sparse!, entry.size));
  return parts.length === 1 ? parts[0]! : Buffer.concat(parts);
}

/** The archive end for a stream of `written` bytes: two zero blocks, then zeros up to a multiple of 10240. */
export function encodeArchiveEnd(written: number): Buffer {
  let len = 2 * BLOCK;
  const rem = (written + len) % RECORD;
  if (rem !== 0) len += RECORD - rem;
  return Buffer.alloc(len);
}

/** Builds a whole archive in memory (tests, small streams). Bodies must be exactly entry.size bytes. */
export class TarBuilder {
  private readonly parts: Buffer[] = [];
  private written = 0;

  /** Bodies are exactly the stored bytes: for a sparse entry the data segments back to back (entry.size is kept). */
  add(entry: TarEntry, body?: Buffer): this {
    const size = entry.type === 'file' ? (body?.length ?? 0) : 0;
    if (entry.sparse && size !== storedDataSize(entry)) throw new Error('sparse body must hold exactly the data segments');
    const e = entry.sparse ? entry : { ...entry, size };
    this.push(encodeEntryHeader(e));
    if (size > 0) {
      this.push(body!);
      this.push(Buffer.alloc(paddingFor(size)));
    }
    return this;
  }

  /** Appends raw bytes (to build malformed archives). */
  raw(bytes: Buffer): this {
    this.push(bytes);
    return this;
  }

  finish(): Buffer {
    this.push(encodeArchiveEnd(this.written));
    return Buffer.concat(this.parts);
  }

  private push(b: Buffer): void {
    this.parts.push(b);
    this.written += b.length;
  }
}
