// Streaming pax/ustar/GNU reader: yields entries with raw byte-string paths; the consumer streams or skips each body.

import fs from 'node:fs';
import { BLOCK, paddingFor, type EntryType, type TarEntry } from './tar-entry.js';
import { decodeUstarHeader, TarHeaderError } from './tar-header.js';
import { decodePaxRecords, parsePaxTime, PaxFormatError, type PaxRecords } from './pax-records.js';
import { ByteSource, UnexpectedEofError } from './byte-source.js';
import { decodeSparseMap, sparseDataSize, type SparseSegment } from './sparse-map.js';

export { TarHeaderError, PaxFormatError, UnexpectedEofError };

/** Pax/GNU meta bodies larger than this are refused (a hostile stream could ask for gigabytes). */
const MAX_META_BODY = 16 * 1024 * 1024;

const ENTRY_TYPES: Record<string, EntryType> = {
  '0': 'file',
  '7': 'file',
  '1': 'hardlink',
  '2': 'symlink',
  '3': 'char',
  '4': 'block',
  '5': 'directory',
  '6': 'fifo',
};

export interface ReadEntry {
  entry: TarEntry;
  /** Stream offset of the entry's first header block (its pax or GNU long-name header if any). */
  offset: number;
}

/** An entry type this reader does not restore (GNU sparse 'S', volume 'V', ...): reported, body skipped. */
export interface UnsupportedEntry {
  unsupported: string;
  path: string;
  offset: number;
}

export class TarReader {
  private readonly src: ByteSource;
  private bodyLeft = 0;
  private padLeft = 0;
  private global: PaxRecords = new Map();
  private finished = false;

  constructor(source: AsyncIterable<Buffer | string>) {
    this.src = new ByteSource(source);
  }

  /** Bytes read so far. */
  get offset(): number {
    return this.src.consumed;
  }

  /** The next entry (skipping what is left of the previous body), or null at the archive end. */
  async next(): Promise<ReadEntry | UnsupportedEntry | null> {
    if (this.finished) return null;
    const left = this.bodyLeft + this.padLeft;
    if (left > 0 && this.src.takeBuffered(left) === null) await this.skipBody();
    this.bodyLeft = 0;
    this.padLeft = 0;
    const offset = this.src.consumed;
    let pax: PaxRecords | null = null;
    let longName: Buffer | null = null;
    let longLink: Buffer | null = null;
    for (;;) {
      const block = this.src.takeBuffered(BLOCK) ?? (await this.src.readExact(BLOCK));
      if (block === null) {
        this.finished = true;
        return null; // EOF without end blocks: tolerated like GNU tar
      }
      const h = decodeUstarHeader(block);
      if (h === null) {
        this.finished = true;
        return null;
      }
      if (h.typeflag === 'x' || h.typeflag === 'g' || h.typeflag === 'L' || h.typeflag === 'K') {
        if (h.size > MAX_META_BODY) throw new TarHeaderError(`${h.typeflag} header of ${h.size} bytes is too large`);
        // A slice of the input: decodePaxRecords copies the values, and the long names are copied below.
        const stored = h.size + paddingFor(h.size);
        const body = this.src.takeBuffered(stored) ?? (await this.src.readExact(stored)) ?? Buffer.alloc(0);
        if (body.length < h.size) throw new UnexpectedEofError();
        const data = body.subarray(0, h.size);
        if (h.typeflag === 'x') pax = pax === null ? decodePaxRecords(data) : new Map([...pax, ...decodePaxRecords(data)]);
        else if (h.typeflag === 'g') this.global = new Map([...this.global, ...decodePaxRecords(data)]);
        else {
          let end = data.indexOf(0);
          if (end < 0) end = data.length;
          if (h.typeflag === 'L') longName = Buffer.from(data.subarray(0, end));
          else longLink = Buffer.from(data.subarray(0, end));
        }
        continue;
      }
      const records: PaxRecords = this.global.size === 0 ? (pax ?? NO_RECORDS) : new Map([...this.global, ...(pax ?? [])]);
      const sparseName = records.get('GNU.sparse.name');
      const nameBuf = sparseName ?? records.get('path') ?? longName ?? (h.prefix.length > 0 ? Buffer.concat([h.prefix, Buffer.from('/'), h.name]) : h.name);
      const linkBuf = records.get('linkpath') ?? longLink ?? h.linkname;
      let path = nameBuf.toString('latin1');
      let type = ENTRY_TYPES[h.typeflag];
      const size = records.has('size') ? parseIntRecord(records.get('size')!, 'size') : h.size;
      const sparseVersion = sparseVersionOf(records);
      if (type === undefined || (sparseVersion !== null && (sparseVersion !== '1.0' || type !== 'file'))) {
        this.bodyLeft = size;
        this.padLeft = paddingFor(size);
        return { unsupported: type === undefined ? h.typeflag : `GNU sparse ${sparseVersion}`, path, offset };
      }
      if (type === 'file' && path.endsWith('/')) type = 'directory'; // pre-POSIX directories
      while (path.length > 1 && path.endsWith('/')) path = path.slice(0, -1);
      const entry: TarEntry = {
        path,
        type,
        mode: h.mode & 0o7777,
        uid: records.has('uid') ? parseIntRecord(records.get('uid')!, 'uid') : h.uid,
        gid: records.has('gid') ? parseIntRecord(records.get('gid')!, 'gid') : h.gid,
        uname: (records.get('uname') ?? h.uname).toString('latin1'),
        gname: (records.get('gname') ?? h.gname).toString('latin1'),
        size: type === 'file' ? size : 0,
        mtimeNs: records.has('mtime') ? parsePaxTime(records.get('mtime')!.toString('latin1')) : BigInt(h.mtime) * 1_000_000_000n,
        linkpath: linkBuf.toString('latin1'),
        devmajor: h.devmajor,
        devminor: h.devminor,
      };
      if (records.has('atime')) entry.atimeNs = parsePaxTime(records.get('atime')!.toString('latin1'));
      if (records.has('ctime')) entry.ctimeNs = parsePaxTime(records.get('ctime')!.toString('latin1'));
      const extra: Record<string, string> = {};
      let hasExtra = false;
      for (const [k, v] of records) {
        if (KNOWN_KEYS.has(k) || k.startsWith('GNU.sparse.')) continue;
        extra[k] = v.toString('latin1');
        hasExtra = true;
      }
      if (hasExtra) entry.extra = extra;
      // Links carry no body whatever the size field says; other types skip what they declare (as GNU tar does).
      this.bodyLeft = type === 'hardlink' || type === 'symlink' ? 0 : size;
      this.padLeft = paddingFor(this.bodyLeft);
      if (sparseVersion === '1.0') {
        const realSize = parseIntRecord(records.get('GNU.sparse.realsize') ?? Buffer.from(''), 'GNU.sparse.realsize');
        const { segments, mapBytes } = await this.readSparseMap(size, realSize);
        entry.size = realSize;
        entry.sparse = segments;
        this.bodyLeft = size - mapBytes;
        this.padLeft = paddingFor(size);
        if (sparseDataSize(segments) !== this.bodyLeft) throw new PaxFormatError(`sparse map of ${path} does not match its body size`);
      }
      return { entry, offset };
    }
  }

  /** Reads the PAX 1.0 sparse map at the start of a body of `size` bytes. */
  private async readSparseMap(size: number, realSize: number): Promise<{ segments: SparseSegment[]; mapBytes: number }> {
    const blocks: Buffer[] = [];
    for (;;) {
      if ((blocks.length + 1) * BLOCK > size) throw new PaxFormatError('sparse map runs past the entry body');
      const block = await this.src.readExact(BLOCK);
      if (block === null) throw new UnexpectedEofError();
      blocks.push(Buffer.from(block));
      const map = decodeSparseMap(Buffer.concat(blocks), realSize);
      if (map) return { segments: map.segments, mapBytes: blocks.length * BLOCK };
    }
  }

  /** The current entry's body as chunks (slices valid until the next pull). */
  async *body(): AsyncGenerator<Buffer> {
    const n = this.bodyLeft;
    this.bodyLeft = 0;
    if (n > 0) yield* this.src.take(n);
    await this.src.skip(this.padLeft);
    this.padLeft = 0;
  }

  /**
   * The current entry's body in one piece, its padding skipped: a slice valid until the next pull, copied only when
   * it spans input chunks. For small bodies (the caller bounds the size).
   */
  async wholeBody(): Promise<Buffer> {
    const n = this.bodyLeft;
    const total = n + this.padLeft;
    this.bodyLeft = 0;
    this.padLeft = 0;
    if (total === 0) return Buffer.alloc(0);
    const b = await this.src.readExact(total);
    if (b === null) throw new UnexpectedEofError();
    return b.subarray(0, n);
  }

  /** wholeBody without waiting, when the body and its padding are buffered already (else null, nothing taken). */
  bufferedBody(): Buffer | null {
    const n = this.bodyLeft;
    const b = this.src.takeBuffered(n + this.padLeft);
    if (b === null) return null;
    this.bodyLeft = 0;
    this.padLeft = 0;
    return b.subarray(0, n);
  }

  /** True when moveBodyTo can move bodies straight from the input (a pipe) rather than through JS. */
  get canMoveBody(): boolean {
    return this.src.inputMovable;
  }

  /**
   * Writes the current body (as body() would yield it) to outFd at its file position: the bytes already read with
   * write(2), the rest moved by the input straight into outFd (splice, when the input is a pipe), else read and
   * written here. When writing fails, the rest of the body is still consumed (the stream stays in step) and the
   * failure is thrown afterwards; a damaged or short stream throws as next() would. Returns the bytes written.
   */
  async moveBodyTo(outFd: number): Promise<number> {
    let left = this.bodyLeft;
    this.bodyLeft = 0;
    let written = 0;
    let writeError: unknown;
    while (left > 0) {
      if (writeError === undefined && this.src.movable) {
        let moved = 0;
        try {
          moved = await this.src.moveTo(outFd, left);
        } catch (e) {
          if (e instanceof UnexpectedEofError) throw e;
          writeError = e;
        }
        left -= moved;
        written += moved;
        if (moved > 0 || writeError !== undefined) continue;
      }
      const b = await this.src.takeSome(left);
      left -= b.length;
      if (writeError !== undefined) continue; // keep reading the body so the stream stays in step
      try {
        for (let off = 0; off < b.length; ) off += fs.writeSync(outFd, b, off, b.length - off);
        written += b.length;
      } catch (e) {
        writeError = e;
      }
    }
    await this.src.skip(this.padLeft);
    this.padLeft = 0;
    if (writeError !== undefined) throw writeError;
    return written;
  }

  /** Discards what is left of the current body. */
  async skipBody(): Promise<void> {
    if (this.bodyLeft > 0 || this.padLeft > 0) {
      await this.src.skip(this.bodyLeft + this.padLeft);
      this.bodyLeft = 0;
      this.padLeft = 0;
    }
  }

  /** Reads the rest of the input after the archive end (padding), so the writer is not cut off. */
  async drain(): Promise<void> {
    await this.src.drain();
  }
}

const NO_RECORDS: PaxRecords = new Map();

const KNOWN_KEYS = new Set(['path', 'linkpath', 'size', 'uid', 'gid', 'uname', 'gname', 'mtime', 'atime', 'ctime', 'hdrcharset', 'charset', 'comment']);

/** '1.0' for PAX 1.0 sparse, another version string for the older GNU forms, null when the entry is not sparse. */
function sparseVersionOf(records: PaxRecords): string | null {
  const major = records.get('GNU.sparse.major')?.toString('latin1');
  const minor = records.get('GNU.sparse.minor')?.toString('latin1');
  if (major !== undefined || minor !== undefined) return `${major ?? '0'}.${minor ?? '0'}`;
  for (const k of records.keys()) if (k.startsWith('GNU.sparse.')) return '0.x';
  return null;
}

function parseIntRecord(v: Buffer, key: string): number {
  const t = v.toString('latin1');
  if (!/^[0-9]+$/.test(t)) throw new PaxFormatError(`bad pax ${key} '${t}'`);
  const n = Number(t);
  if (!Number.isSafeInteger(n)) throw new PaxFormatError(`pax ${key} out of range`);
  return n;
}

/** Type guard for the reader's results. */
export function isUnsupported(r: ReadEntry | UnsupportedEntry): r is UnsupportedEntry {
  return (r as UnsupportedEntry).unsupported !== undefined;
}
