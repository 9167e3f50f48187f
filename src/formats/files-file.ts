// The image's .f file list: streamed in walk order, browsable by directory without reading it whole.
//
// Frozen format, version 1 (all integers little-endian; "uv" = LEB128 varint, "sv" = zigzag varint):
//   file   := head block* index trailer
//   head   := "OBPFILES" u32 version=1 u32 flags=0                                   (16 bytes)
//   block  := u32 payload_len, u32 entry_count, u8 codec (0 = raw), payload
//             payload = entry_count entries; path prefix compression and the user/group table
//             restart at each block, so any block decodes on its own.
//   entry  := uv shared_prefix, bytes(path suffix), u8 flags (bits 0-3 type index in "fdlhpcbs",
//             bits 4-5 in_image: 0 not in image, 1 in image, 2 recorded for true-image-restore only),
//             uv mode, uv uid, uv gid, name(user), name(group), uv size,
//             sv (mtime_ns - previous mtime_ns in block), sv (ctime - mtime_s), sv (atime - mtime_s),
//             sv (ino - previous ino), sv (dev - previous dev), sv (offset - previous offset), bytes(link)
//             where bytes(s) = uv length + raw bytes, name(s) = uv 0 + bytes(s) (new) | uv k (k-th name of the block)
//   index  := chunk* top; a chunk lists directories (sorted by bytes, prefix-compressed):
//             uv shared, bytes(suffix), uv self, uv n, uv first block offset, (n-1) × uv offset delta
//             — self: 1 + offset of the block holding the directory's own entry (0: none); then the
//             blocks holding the directory's direct children. The root's own entry is under "".
//             Keys: every directory that has an entry or children.
//   top    := uv chunk_count, chunk_count × (bytes(first key), uv chunk offset, uv chunk length)
//   trailer:= "OBPFEND1" u64 top_offset u64 top_length u64 entry_count u64 block_count u64 data_end  (48 bytes)
// Paths are byte strings (latin1 JS strings); every byte value is allowed in a name.

import fs from 'node:fs';
import type { FileRecord, FileType } from '../protocol/records.js';
import { ByteSink, Cursor, FormatError } from './varint.js';
import { nsText, splitNs } from '../protocol/ns-time.js';
import { RUN, type BlockLayout } from './block-layout.js';

export const FILES_VERSION = 1;
const MAGIC = Buffer.from('OBPFILES', 'latin1');
const END_MAGIC = Buffer.from('OBPFEND1', 'latin1');
const HEAD_LEN = 16;
const BLOCK_HEAD_LEN = 9;
const TRAILER_LEN = 48;
/** A block is cut once its payload reaches this size (bpbkar cuts its record blocks at the same size). */
export const BLOCK_TARGET = 16 * 1024;
const CHUNK_TARGET = 16 * 1024;
/** The entry types in the order of their index in an entry's flags. */
export const TYPES = 'fdlhpcbs';
/** Whole-second mtime deltas below this are exact as numbers in ns (and below svar's 2^51). */
const SMALL_SECONDS = 2_000_000;
/** A positive decimal without leading zero (mtimeNs of a time after 1970-01-01T00:00:01). */
const PLAIN_DIGITS = /^[1-9][0-9]*$/;

/** 0: recorded but not in the image (true-image-restore only); 1: in the image; 2: TIR only (bpflist's in_image). */
export type InImage = 0 | 1 | 2;

/** A catalogue entry: the file record and whether its data is in this image. */
export interface FilesEntry extends FileRecord {
  inImage: InImage;
}

export type FilesEntryInput = FileRecord & { inImage?: InImage };

/** The key an entry is indexed under: its parent directory ("" for the root itself). */
export function parentKey(p: string): string {
  if (p === '/') return '';
  const i = p.lastIndexOf('/');
  if (i < 0) return '';
  if (i === 0) return '/';
  return p.slice(0, i);
}

/** parentKey(p) === key, found without slicing or hashing (the previous record's parent; '' never matches). */
export function hasParent(p: string, key: string): boolean {
  if (key === '') return false;
  if (key === '/') return p.length > 1 && p.charCodeAt(0) === 0x2f && p.indexOf('/', 1) < 0;
  return p.length > key.length + 1 && p.charCodeAt(key.length) === 0x2f && p.indexOf('/', key.length + 1) < 0 && p.startsWith(key);
}

/** Depth of a normalised absolute path: '/' is 0, '/a' 1, '/a/b' 2. */
export function pathLevel(p: string): number {
  if (p === '/' || p === '') return 0;
  let n = 0;
  for (let i = 0; i < p.length; i++) if (p.charCodeAt(i) === 0x2f) n++;
  return p.startsWith('/') ? n : n + 1;
}

function within(p: string, dir: string): boolean {
  if (dir === '/') return p.startsWith('/');
  return p === dir || (p.startsWith(dir) && p.charCodeAt(dir.length) === 0x2f);
}

function u64(b: Buffer, off: number, v: number): void {
  b.writeBigUInt64LE(BigInt(v), off);
}

function sharedPrefix(a: string, b: string): number {
  const n = Math.min(a.length, b.length);
  let i = 0;
  while (i < n && a.charCodeAt(i) === b.charCodeAt(i)) i++;
  return i;
}

/**
 * Encodes entries as one block payload (the .f's own block encoding). bpbkar builds its record batches with
 * it; bpdbm appends such a payload to the .f as a block once verifyBlock (block-layout) has read it.
 */
export class BlockEncoder {
  readonly sink = new ByteSink(BLOCK_TARGET * 2);
  count = 0;
  private prevPath = '';
  /** The previous mtime as floor(ns / 1e9) and the rest (0..999,999,999). */
  private prevSec = 0;
  private prevNs = 0;
  private prevIno = 0;
  private prevDev = 0;
  private prevOffset = 0;
  private names = new Map<string, number>();

  reset(): void {
    this.sink.reset();
    this.count = 0;
    this.prevPath = '';
    this.prevSec = 0;
    this.prevNs = 0;
    this.prevIno = 0;
    this.prevDev = 0;
    this.prevOffset = 0;
    this.names.clear();
  }

  private name(s: string): void {
    const k = this.names.get(s);
    if (k !== undefined) {
      this.sink.uvar(k + 1);
      return;
    }
    this.names.set(s, this.names.size);
    this.sink.uvar(0);
    this.sink.bytes(s);
  }

  add(e: FilesEntryInput): void {
    const s = this.sink;
    const shared = sharedPrefix(this.prevPath, e.path);
    s.uvar(shared);
    s.bytes(e.path.slice(shared));
    this.prevPath = e.path;
    const t = TYPES.indexOf(e.type);
    if (t < 0) throw new FormatError(`unknown file type '${e.type}' for ${e.path}`);
    s.byte(t | ((e.inImage ?? 1) << 4));
    s.uvar(e.mode);
    s.uvar(e.uid);
    s.uvar(e.gid);
    this.name(e.user);
    this.name(e.group);
    s.uvar(e.size);
    // mtime as (floor seconds, ns) numbers: the delta is written as the same zigzag varint sbig writes,
    // with BigInt arithmetic only for a block's first entry, times before 1970 or deltas past 2^50 ns.
    const text = e.mtimeNs;
    let mtSec: number;
    let mtNs: number;
    if (text.length >= 10 && text.length <= 19 && PLAIN_DIGITS.test(text)) {
      mtSec = Number(text.slice(0, -9));
      mtNs = Number(text.slice(-9));
    } else {
      ({ sec: mtSec, ns: mtNs } = splitNs(BigInt(text)));
    }
    const dSec = mtSec - this.prevSec;
    if (dSec > -SMALL_SECONDS && dSec < SMALL_SECONDS) s.svar(dSec * 1e9 + (mtNs - this.prevNs));
    else s.sbig(BigInt(dSec) * 1_000_000_000n + BigInt(mtNs - this.prevNs));
    this.prevSec = mtSec;
    this.prevNs = mtNs;
    s.svar(e.ctime - mtSec);
    s.svar(e.atime - mtSec);
    s.svar(e.ino - this.prevIno);
    this.prevIno = e.ino;
    s.svar(e.dev - this.prevDev);
    this.prevDev = e.dev;
    s.svar(e.offset - this.prevOffset);
    this.prevOffset = e.offset;
    s.bytes(e.link);
    this.count++;
  }
}

/** Decodes one block's payload into entries. */
export function decodeBlock(payload: Buffer, count: number): FilesEntry[] {
  const c = new Cursor(payload);
  const out: FilesEntry[] = new Array(count);
  const names: string[] = [];
  let prevPath = '';
  // The previous mtime as floor(ns / 1e9) and the rest, as the encoder keeps it: a delta of up to 7 varint
  // bytes (under 2^48 ns) is added as numbers; a longer one (a block's first entry) through BigInt.
  let prevSec = 0;
  let prevNs = 0;
  let prevIno = 0;
  let prevDev = 0;
  let prevOffset = 0;
  const name = (): string => {
    const k = c.uvar();
    if (k === 0) {
      const s = c.bytes();
      names.push(s);
      return s;
    }
    const s = names[k - 1];
    if (s === undefined) throw new FormatError('bad name reference');
    return s;
  };
  for (let i = 0; i < count; i++) {
    const shared = c.uvar();
    const path = prevPath.slice(0, shared) + c.bytes();
    prevPath = path;
    const flags = c.byte();
    const type = TYPES[flags & 0x0f] as FileType | undefined;
    if (type === undefined) throw new FormatError('bad file type');
    const inImage = ((flags >> 4) & 3) as InImage;
    const mode = c.uvar();
    const uid = c.uvar();
    const gid = c.uvar();
    const user = name();
    const group = name();
    const size = c.uvar();
    const start = c.pos;
    const z = c.uvar();
    if (c.pos - start <= 7) {
      const t = prevNs + (z % 2 === 0 ? z / 2 : -(z + 1) / 2);
      const carry = Math.floor(t / 1e9);
      prevSec += carry;
      prevNs = t - carry * 1e9;
    } else {
      c.pos = start;
      ({ sec: prevSec, ns: prevNs } = splitNs(BigInt(prevSec) * 1_000_000_000n + BigInt(prevNs) + c.sbig()));
    }
    const mtSec = prevSec;
    const ctime = mtSec + c.svar();
    const atime = mtSec + c.svar();
    const ino = prevIno + c.svar();
    prevIno = ino;
    const dev = prevDev + c.svar();
    prevDev = dev;
    const offset = prevOffset + c.svar();
    prevOffset = offset;
    const link = c.bytes();
    out[i] = { path, type, mode, uid, gid, user, group, size, mtimeNs: nsText(mtSec, prevNs), ctime, atime, ino, dev, offset, link, inImage };
  }
  if (!c.done) throw new FormatError('trailing bytes in block');
  return out;
}

/**
 * A block's paths, flag bytes (type index | in_image << 4) and stream offsets, without the rest of each entry: what a
 * listing filters on and what a restore's stream range needs.
 */
export interface BlockSkim {
  readonly paths: string[];
  readonly flags: Uint8Array;
  readonly offsets: Float64Array;
}

function skipVarint(b: Buffer, pos: number): number {
  while (b[pos++]! >= 0x80);
  return pos;
}

/** Reads only the paths and flags of a block's entries (skipping the other fields): what a listing filters on. */
export function skimBlock(payload: Buffer, count: number): BlockSkim {
  const c = new Cursor(payload);
  const paths: string[] = new Array(count);
  const flags = new Uint8Array(count);
  const offsets = new Float64Array(count);
  let prevPath = '';
  let prevOffset = 0;
  for (let i = 0; i < count; i++) {
    const shared = c.uvar();
    const path = prevPath.slice(0, shared) + c.bytes();
    prevPath = path;
    paths[i] = path;
    flags[i] = c.byte();
    let pos = skipVarint(payload, skipVarint(payload, skipVarint(payload, c.pos))); // mode uid gid
    for (let k = 0; k < 2; k++) {
      c.pos = pos;
      if (c.uvar() === 0) {
        const len = c.uvar(); // a new user / group name
        c.pos += len;
      }
      pos = c.pos;
    }
    for (let k = 0; k < 6; k++) pos = skipVarint(payload, pos); // size mtime ctime atime ino dev
    c.pos = pos;
    prevOffset += c.svar();
    offsets[i] = prevOffset;
    const linkLen = c.uvar();
    c.pos += linkLen;
    if (c.pos > payload.length) throw new FormatError('truncated record');
  }
  if (!c.done) throw new FormatError('trailing bytes in block');
  return { paths, flags, offsets };
}

/** The file type letter of a skimmed entry's flags. */
export function typeOfFlags(f: number): FileType {
  const t = TYPES[f & 0x0f] as FileType | undefined;
  if (t === undefined) throw new FormatError('bad file type');
  return t;
}

/** The in_image value of a skimmed entry's flags. */
export function inImageOfFlags(f: number): InImage {
  return ((f >> 4) & 3) as InImage;
}

/** Encodes entries as one block payload (decodeBlock's input), e.g. to carry a page of a listing. */
export function encodeEntries(entries: readonly FilesEntryInput[]): Buffer {
  const enc = new BlockEncoder();
  for (const e of entries) enc.add(e);
  return Buffer.from(enc.sink.take());
}

function writeFully(fd: number, b: Buffer, pos: number): void {
  let off = 0;
  while (off < b.length) off += fs.writeSync(fd, b, off, b.length - off, pos + off);
}

function readFully(fd: number, len: number, pos: number): Buffer {
  const b = Buffer.allocUnsafe(len);
  let off = 0;
  while (off < len) {
    const n = fs.readSync(fd, b, off, len - off, pos + off);
    if (n === 0) throw new FormatError(`unexpected end of file at ${pos + off}`);
    off += n;
  }
  return b;
}

export interface FilesSummary {
  readonly entries: number;
  readonly blocks: number;
  readonly bytes: number;
}

/**
 * Writes a .f file: add() batches in walk order, finish() once. The file is incomplete (no trailer)
 * until finish() returns; finish() fsyncs. Not safe to share between processes (bpdbm is the one writer).
 */
export class FilesWriter {
  private readonly enc = new BlockEncoder();
  private readonly dirs = new Map<string, DirIndex>();
  /** The previous record's parent and its index entry (walk order keeps siblings together). */
  private lastKey = '';
  private lastDir: DirIndex | undefined;
  private pos = HEAD_LEN;
  private entries = 0;
  private blocks = 0;
  private closed = false;

  private constructor(private readonly fd: number, readonly path: string) {}

  /** Creates the file (fails if it exists). */
  static create(path: string): FilesWriter {
    const fd = fs.openSync(path, 'wx', 0o600);
    const head = Buffer.alloc(HEAD_LEN);
    MAGIC.copy(head, 0);
    head.writeUInt32LE(FILES_VERSION, 8);
    head.writeUInt32LE(0, 12);
    writeFully(fd, head, 0);
    return new FilesWriter(fd, path);
  }

  get count(): number {
    return this.entries;
  }

  add(records: readonly FilesEntryInput[]): void {
    if (this.closed) throw new Error('FilesWriter: add after finish');
    for (const r of records) {
      this.index(r.path, r.type);
      this.enc.add(r);
      this.entries++;
      if (this.enc.sink.len >= BLOCK_TARGET) this.flushBlock();
    }
  }

  /**
   * Appends a block payload as it is (verifyBlock's layout of it in `layout`): the entries after those add()ed,
   * in walk order. The caller has checked the paths (plain, parents known).
   */
  addBlock(payload: Buffer, layout: BlockLayout): void {
    if (this.closed) throw new Error('FilesWriter: add after finish');
    this.flushBlock();
    const { kinds, keys } = layout;
    for (let i = 0; i < keys.length; i++) {
      if (kinds[i] === RUN) this.indexRun(keys[i]!);
      else this.indexOwn(keys[i]!);
    }
    this.writeBlock(payload, layout.count);
    this.entries += layout.count;
  }

  /** Notes the entry at this.pos in its parent's index entry (and its own, for a directory). */
  private index(path: string, type: FileType): void {
    if (this.lastDir === undefined || !hasParent(path, this.lastKey)) this.indexRun(parentKey(path));
    else this.noteBlock(this.lastDir);
    if (type === 'd') this.indexOwn(path);
  }

  /** Notes the block at this.pos in the index entry of `key`, the parent of the entries that follow. */
  private indexRun(key: string): void {
    let d = this.lastKey === key ? this.lastDir : undefined;
    if (!d) {
      d = this.dirs.get(key);
      if (!d) this.dirs.set(key, (d = { self: -1, offsets: [] }));
      this.lastKey = key;
      this.lastDir = d;
    }
    this.noteBlock(d);
  }

  private noteBlock(d: DirIndex): void {
    if (d.offsets[d.offsets.length - 1] !== this.pos) d.offsets.push(this.pos);
  }

  /** Notes the block at this.pos as holding the directory `path`'s own entry. */
  private indexOwn(path: string): void {
    const own = this.dirs.get(path);
    if (own) own.self = this.pos;
    else this.dirs.set(path, { self: this.pos, offsets: [] });
  }

  private writeBlock(payload: Buffer, count: number): void {
    const head = Buffer.allocUnsafe(BLOCK_HEAD_LEN);
    head.writeUInt32LE(payload.length, 0);
    head.writeUInt32LE(count, 4);
    head[8] = 0;
    writeFully(this.fd, head, this.pos);
    writeFully(this.fd, payload, this.pos + BLOCK_HEAD_LEN);
    this.pos += BLOCK_HEAD_LEN + payload.length;
    this.blocks++;
  }

  private flushBlock(): void {
    if (this.enc.count === 0) return;
    this.writeBlock(this.enc.sink.take(), this.enc.count);
    this.enc.reset();
  }

  /** Writes the last block, the directory index and the trailer; fsyncs and closes. */
  finish(): FilesSummary {
    this.flushBlock();
    const dataEnd = this.pos;
    const keys = [...this.dirs.keys()].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
    const top = new ByteSink(1024);
    const chunk = new ByteSink(CHUNK_TARGET * 2);
    const tops: Array<{ key: string; off: number; len: number }> = [];
    let prevKey = '';
    let firstKey: string | undefined;
    const flushChunk = () => {
      if (firstKey === undefined) return;
      const b = chunk.take();
      writeFully(this.fd, b, this.pos);
      tops.push({ key: firstKey, off: this.pos, len: b.length });
      this.pos += b.length;
      chunk.reset();
      firstKey = undefined;
      prevKey = '';
    };
    for (const key of keys) {
      if (firstKey === undefined) firstKey = key;
      const shared = sharedPrefix(prevKey, key);
      chunk.uvar(shared);
      chunk.bytes(key.slice(shared));
      prevKey = key;
      const d = this.dirs.get(key)!;
      const offs = d.offsets;
      chunk.uvar(d.self + 1);
      chunk.uvar(offs.length);
      for (let i = 0; i < offs.length; i++) chunk.uvar(i === 0 ? offs[0]! : offs[i]! - offs[i - 1]!);
      if (chunk.len >= CHUNK_TARGET) flushChunk();
    }
    flushChunk();
    top.uvar(tops.length);
    for (const t of tops) {
      top.bytes(t.key);
      top.uvar(t.off);
      top.uvar(t.len);
    }
    const topBuf = top.take();
    const topOffset = this.pos;
    writeFully(this.fd, topBuf, this.pos);
    this.pos += topBuf.length;
    const trailer = Buffer.alloc(TRAILER_LEN);
    END_MAGIC.copy(trailer, 0);
    u64(trailer, 8, topOffset);
    u64(trailer, 16, topBuf.length);
    u64(trailer, 24, this.entries);
    u64(trailer, 32, this.blocks);
    u64(trailer, 40, dataEnd);
    writeFully(this.fd, trailer, this.pos);
    this.pos += TRAILER_LEN;
    fs.fsyncSync(this.fd);
    fs.closeSync(this.fd);
    this.closed = true;
    this.dirs.clear();
    return { entries: this.entries, blocks: this.blocks, bytes: this.pos };
  }

  /** Closes without finishing (the caller deletes the file). */
  abandon(): void {
    if (this.closed) return;
    this.closed = true;
    fs.closeSync(this.fd);
  }
}

interface DirIndex {
  /** Offset of the block holding the directory's own entry, -1 when it has none. */
  self: number;
  /** Blocks holding its direct children, ascending. */
  offsets: number[];
}

interface IndexEntry extends DirIndex {
  key: string;
}

interface TopEntry {
  readonly key: string;
  readonly off: number;
  readonly len: number;
}

/** Entries a walk matched in one block: paths and flags at hand, full records decoded on demand. */
export class EntryRun {
  private decoded: FilesEntry[] | undefined;

  constructor(
    readonly paths: readonly string[],
    readonly flags: Uint8Array,
    /** Each entry's offset in the image's stream. */
    readonly offsets: Float64Array,
    private readonly payload?: Buffer,
    entries?: FilesEntry[],
  ) {
    this.decoded = entries;
  }

  static of(entries: FilesEntry[]): EntryRun {
    const flags = new Uint8Array(entries.length);
    entries.forEach((e, i) => (flags[i] = TYPES.indexOf(e.type) | (e.inImage << 4)));
    return new EntryRun(entries.map((e) => e.path), flags, Float64Array.from(entries, (e) => e.offset), undefined, entries);
  }

  get count(): number {
    return this.paths.length;
  }

  entries(): FilesEntry[] {
    return (this.decoded ??= decodeBlock(this.payload!, this.paths.length));
  }

  /** The entries as one block payload (the block's own bytes when the whole block matched). */
  encoded(): Buffer {
    return this.payload ?? encodeEntries(this.entries());
  }
}

/** Reads a finished .f file: whole-file streaming, or one directory / subtree through the index. */
export class FilesReader {
  private blockCache = new Map<number, FilesEntry[]>();

  private constructor(
    private readonly fd: number,
    readonly entryCount: number,
    readonly blockCount: number,
    private readonly dataEnd: number,
    private readonly top: readonly TopEntry[],
  ) {}

  static open(path: string): FilesReader {
    const fd = fs.openSync(path, 'r');
    try {
      const size = fs.fstatSync(fd).size;
      if (size < HEAD_LEN + TRAILER_LEN) throw new FormatError(`${path}: too short for a files file`);
      const head = readFully(fd, HEAD_LEN, 0);
      if (!head.subarray(0, 8).equals(MAGIC)) throw new FormatError(`${path}: not an openbp files file`);
      const version = head.readUInt32LE(8);
      if (version > FILES_VERSION) throw new FormatError(`${path}: files file version ${version} is newer than this openbp`);
      const tr = readFully(fd, TRAILER_LEN, size - TRAILER_LEN);
      if (!tr.subarray(0, 8).equals(END_MAGIC)) throw new FormatError(`${path}: files file is incomplete (no trailer)`);
      const num = (o: number) => Number(tr.readBigUInt64LE(o));
      const topOffset = num(8);
      const topLen = num(16);
      const c = new Cursor(readFully(fd, topLen, topOffset));
      const n = c.uvar();
      const top: TopEntry[] = [];
      for (let i = 0; i < n; i++) top.push({ key: c.bytes(), off: c.uvar(), len: c.uvar() });
      return new FilesReader(fd, num(24), num(32), num(40), top);
    } catch (e) {
      fs.closeSync(fd);
      throw e;
    }
  }

  close(): void {
    fs.closeSync(this.fd);
    this.blockCache.clear();
  }

  /** What this reader has read from the file since it was opened (the head, trailer and top index not counted). */
  readonly reads = { count: 0, bytes: 0 };

  private read(len: number, pos: number): Buffer {
    this.reads.count++;
    this.reads.bytes += len;
    return readFully(this.fd, len, pos);
  }

  private readRawAt(pos: number): { payload: Buffer; count: number; next: number } {
    const head = this.read(BLOCK_HEAD_LEN, pos);
    const len = head.readUInt32LE(0);
    const count = head.readUInt32LE(4);
    if (head[8] !== 0) throw new FormatError(`unknown block codec ${head[8]}`);
    const payload = this.read(len, pos + BLOCK_HEAD_LEN);
    return { payload, count, next: pos + BLOCK_HEAD_LEN + len };
  }

  private readBlockAt(pos: number): { entries: FilesEntry[]; next: number } {
    const { payload, count, next } = this.readRawAt(pos);
    return { entries: decodeBlock(payload, count), next };
  }

  private block(pos: number): FilesEntry[] {
    let b = this.blockCache.get(pos);
    if (!b) {
      b = this.readBlockAt(pos).entries;
      if (this.blockCache.size >= 64) this.blockCache.delete(this.blockCache.keys().next().value!);
      this.blockCache.set(pos, b);
    }
    return b;
  }

  /** Every entry in file (walk) order, one block in memory at a time. */
  *entries(): Generator<FilesEntry> {
    let pos = HEAD_LEN;
    while (pos < this.dataEnd) {
      const { entries, next } = this.readBlockAt(pos);
      yield* entries;
      pos = next;
    }
  }

  /**
   * Entries in file (walk) order from the first block that may hold `path` itself to the end, one block
   * in memory at a time (found through the index; nothing when the index has no block for it).
   */
  *entriesFrom(path: string): Generator<FilesEntry> {
    let pos = this.selfBlocks(path)[0] ?? this.dataEnd;
    while (pos < this.dataEnd) {
      const { entries, next } = this.readBlockAt(pos);
      yield* entries;
      pos = next;
    }
  }

  private chunk(t: TopEntry): IndexEntry[] {
    const c = new Cursor(this.read(t.len, t.off));
    const out: IndexEntry[] = [];
    let prev = '';
    while (!c.done) {
      const shared = c.uvar();
      const key = prev.slice(0, shared) + c.bytes();
      prev = key;
      const self = c.uvar() - 1;
      const n = c.uvar();
      const offsets = new Array<number>(n);
      let o = 0;
      for (let i = 0; i < n; i++) offsets[i] = o = i === 0 ? c.uvar() : o + c.uvar();
      out.push({ key, self, offsets });
    }
    return out;
  }

  /** Index of the last chunk whose first key is <= key (-1 if none). */
  private chunkFor(key: string): number {
    let lo = 0;
    let hi = this.top.length - 1;
    let ans = -1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      if (this.top[mid]!.key <= key) {
        ans = mid;
        lo = mid + 1;
      } else hi = mid - 1;
    }
    return ans;
  }

  /** Directory keys in [lo, hi) with their block offsets. */
  private keysInRange(lo: string, hi: string): IndexEntry[] {
    const out: IndexEntry[] = [];
    for (let i = Math.max(0, this.chunkFor(lo)); i < this.top.length && this.top[i]!.key < hi; i++) {
      for (const e of this.chunk(this.top[i]!)) if (e.key >= lo && e.key < hi) out.push(e);
    }
    return out;
  }

  private key(key: string): IndexEntry | undefined {
    return this.keysInRange(key, key + '\0').find((e) => e.key === key);
  }

  /** Blocks that may hold the entry of `path` itself. */
  private selfBlocks(path: string): number[] {
    const own = this.key(path);
    if (own && own.self >= 0) return [own.self];
    return this.key(parentKey(path))?.offsets ?? [];
  }

  /** Directory keys that lie inside `dir` (including `dir` itself). */
  private subtreeKeys(dir: string): IndexEntry[] {
    if (dir === '/') return this.keysInRange('/', '0');
    return [...this.keysInRange(dir, dir + '\0'), ...this.keysInRange(dir + '/', dir + '0')];
  }

  /** True when the file holds `path` itself or anything below it. */
  has(path: string): boolean {
    if (this.subtreeKeys(path).length > 0) return true;
    return this.selfBlocks(path).some((off) => this.block(off).some((x) => x.path === path));
  }

  /**
   * Entries at `path` and below, at most `depth` levels deeper (0: only the path; Infinity: all), in
   * file order. Reads only the index chunks and blocks that hold them.
   */
  list(path: string, depth: number): FilesEntry[] {
    return [...this.walk(path, depth)];
  }

  /** Like list(), one block in memory at a time (see walkBlocks). */
  *walk(path: string, depth: number): Generator<FilesEntry> {
    for (const run of this.walkBlocks(path, depth)) yield* run.entries();
  }

  /**
   * The matches of list(), block by block in file order, one block in memory at a time: the index is
   * read first (only the chunks that cover `path`), then each block that holds a match, once. A
   * whole-tree walk reads the blocks in sequence without the index. Blocks are first skimmed (paths
   * and flags only); a block that matches whole is passed on encoded, decoded only if asked.
   */
  *walkBlocks(path: string, depth: number): Generator<EntryRun> {
    const base = pathLevel(path);
    const match = (p: string) => p === path || (depth >= 1 && within(p, path) && p !== path && (depth === Infinity || pathLevel(p) - base <= depth));
    const runOf = (payload: Buffer, count: number): EntryRun | undefined => {
      const skim = skimBlock(payload, count);
      let hits = 0;
      for (const p of skim.paths) if (match(p)) hits++;
      if (hits === 0) return undefined;
      if (hits === count) return new EntryRun(skim.paths, skim.flags, skim.offsets, payload);
      return EntryRun.of(decodeBlock(payload, count).filter((e) => match(e.path)));
    };
    if (path === '/' && depth === Infinity) {
      let pos = HEAD_LEN;
      while (pos < this.dataEnd) {
        const { payload, count, next } = this.readRawAt(pos);
        pos = next;
        const run = runOf(payload, count);
        if (run) yield run;
      }
      return;
    }
    const offsets = new Set<number>(this.selfBlocks(path));
    if (depth >= 1) {
      const own = this.key(path);
      const keys = depth === 1 ? (own ? [own] : []) : this.subtreeKeys(path);
      for (const k of keys) {
        if (pathLevel(k.key) - base < depth || (path === '/' && k.key === '/')) for (const o of k.offsets) offsets.add(o);
      }
    }
    const sorted = [...offsets].sort((a, b) => a - b);
    offsets.clear();
    for (const off of sorted) {
      const { payload, count } = this.readRawAt(off);
      const run = runOf(payload, count);
      if (run) yield run;
    }
  }

  /**
   * The last entry of `path` whose data is in the image or recorded for true-image restore (in_image 1
   * or 2), looked up through the index: how a listing replaces a synthesised ancestor (in_image 0) by
   * the directory's own entry that comes later in the file.
   */
  heldEntry(path: string): FilesEntry | undefined {
    let found: FilesEntry | undefined;
    for (const off of this.selfBlocks(path)) for (const e of this.block(off)) if (e.path === path && e.inImage !== 0) found = e;
    return found;
  }

  /** Like list(), comparing paths without regard to ASCII case; reads the whole file. */
  listCaseInsensitive(path: string, depth: number): FilesEntry[] {
    return [...this.walkCaseInsensitive(path, depth)];
  }

  /** Like walk(), comparing paths without regard to ASCII case; reads the whole file, a block at a time. */
  *walkCaseInsensitive(path: string, depth: number): Generator<FilesEntry> {
    const want = path.toLowerCase();
    const base = pathLevel(path);
    for (const e of this.entries()) {
      const p = e.path.toLowerCase();
      if (p === want || (depth >= 1 && within(p, want) && pathLevel(p) - base <= depth)) yield e;
    }
  }

  /** Number of entries at `path` and below whose data is in the image (in_image 1); from the flags, nothing decoded. */
  countSubtree(path: string): number {
    let n = 0;
    for (const run of this.walkBlocks(path, Infinity)) for (const f of run.flags) if (inImageOfFlags(f) === 1) n++;
    return n;
  }
}
