// bpbkar's job: walk the selections, write the pax stream, report file records and warnings, choose the status.

import fs from 'node:fs';
import type { Writable } from 'node:stream';
import { bytePathToBuffer, normalizeAbsolute } from '../../protocol/byte-path.js';
import type { BpbkarSpec } from '../../protocol/job-specs.js';
import type { BpbkarEvent } from '../../protocol/job-events.js';
import type { FileRecord } from '../../protocol/records.js';
import { STATUS } from '../../protocol/status.js';
import { paddingFor, type TarEntry } from '../../archive/tar-entry.js';
import { captureXattrs, type XattrProblem } from '../../archive/xattr-records.js';
import { hasHoles, segmentsFromPairs, type SparseSegment } from '../../archive/sparse-map.js';
import { STAT, STAT_LENGTH, sys } from '../../native/sys.js';
import { encodeArchiveEnd, encodeEntryHeader } from '../../archive/tar-writer.js';
import { captureEntry, captureFileEntry, catalogueTypeOf, entryTypeOf, fileRecordOf, nodeFieldsOf, recordOfEntry, streamPathOf } from '../../archive/metadata-capture.js';
import { plainHeaderPlan, writePlainHeader, type PlainHeaderPlan } from '../../archive/plain-header.js';
import { IdNames } from '../../archive/id-names.js';
import { BatchedOutput } from './batched-output.js';
import { lstatNode, type NodeStat } from '../../archive/node-stat.js';
import { childPath, walkTree } from './tree-walk.js';
import type { BaseFiles } from './base-files.js';
import { NativeBase, NativeBlock, ScriptBlock, openBase, type RecordBlock } from './native-base.js';
import { sameVersion } from '../../protocol/file-identity.js';
import { BLOCK_TARGET, type FilesEntryInput } from '../../formats/files-file.js';

/** Files up to this size are read with one read call, straight into the staging buffer. */
export const SMALL_FILE = 1024 * 1024;
/**
 * Smaller files up to SMALL_FILE are spliced too when the stream goes to a pipe: their pages go from the page
 * cache into the pipe, where reading them into the staging buffer and writing that into the pipe copied them twice
 * (a fifth of a 100,000-file backup's CPU was that copy into the pipe). Below this, the copies cost less than the
 * extra write and splice calls.
 */
const SPLICE_MIN = 8 * 1024;
/** Larger files are read in pieces of this size. */
export const READ_CHUNK = 1024 * 1024;
const { S_IFMT, S_IFREG } = fs.constants;

export interface BackupOptions {
  /** Where the stream goes (stdout in the binary). */
  out: Writable;
  /** Receives files, warning and end events (fd 3 in the binary). */
  onEvent: (event: BpbkarEvent) => void;
  names?: IdNames;
  /**
   * Incremental: the base image's records (read in TypeScript, or held by the addon, which matches them with the
   * listings itself); unchanged files are recorded (inImage 0) but not written.
   */
  base?: BaseFiles | NativeBase;
  /**
   * The descriptor behind `out` when it is a pipe: file bodies of SPLICE_MIN and up are spliced into it, without
   * passing through this process's memory.
   */
  outPipeFd?: number;
}

export interface BackupResult {
  status: number;
  files: number;
  bytes: number;
  warnings: number;
}

/** A tar header to stage: its length, and how to write it at a position of the staging buffer. */
interface HeaderBytes {
  length: number;
  write(buf: Buffer, pos: number): void;
}

function bytesOf(header: Buffer): HeaderBytes {
  return { length: header.length, write: (buf, pos) => header.copy(buf, pos) };
}

function planBytes(plan: PlainHeaderPlan): HeaderBytes {
  return { length: plan.size, write: (buf, pos) => writePlainHeader(plan, buf, pos) };
}

const NO_BYTES = Buffer.alloc(0);

interface LinkSeen {
  abs: string;
  streamPath: string;
  left: number;
}

class Backup {
  private readonly out: BatchedOutput;
  private readonly names: IdNames;
  private readonly links = new Map<string, LinkSeen>();
  /** The records not yet reported, as a .f block payload (one file-block event each BLOCK_TARGET bytes). */
  private readonly block: RecordBlock;
  private lastPath = '';
  /** The addon's fstat of the file being read, and after its read. */
  private readonly stat = new Float64Array(STAT_LENGTH);
  private readonly after = new Float64Array(STAT_LENGTH);
  /** Where bodies are spliced to (until a file system cannot splice). */
  private splicePipe: number | undefined;
  files = 0;
  warnings = 0;

  constructor(private readonly opts: BackupOptions) {
    this.out = new BatchedOutput(opts.out);
    this.names = opts.names ?? new IdNames();
    this.splicePipe = opts.outPipeFd;
    this.block = opts.base instanceof NativeBase ? new NativeBlock() : new ScriptBlock();
  }

  warn(path: string, message: string, code?: string): void {
    this.warnings++;
    this.opts.onEvent({ kind: 'warning', path, message, ...(code ? { code } : {}) });
  }

  private record(r: FileRecord): void {
    this.block.add(r as FilesEntryInput); // inImage: 0 (unchanged) or absent (1)
    this.added(1, r.path);
  }

  /** Records a run of unchanged files the addon matched with its base (from the base's records, in C). */
  private unchangedRun(dir: string, names: string[], base: Int32Array, times: Float64Array, from: number, to: number): void {
    for (let i = from; i < to; ) {
      const n = this.block.addBase(base, times, i, to);
      i += n;
      this.added(n, childPath(dir, names[i - 1]!));
    }
  }

  /** Counts `n` records just added to the block, the last of them `last`; reports the block once it is full. */
  private added(n: number, last: string): void {
    this.files += n;
    this.lastPath = last;
    if (this.block.length >= BLOCK_TARGET) this.flushRecords();
  }

  flushRecords(): void {
    const count = this.block.count;
    if (count === 0) return;
    this.opts.onEvent({ kind: 'file-block', count, last: this.lastPath, block: this.block.take() });
  }

  /** Writes one selection; false when it does not exist. */
  async selection(top: string, crossMountPoints: boolean): Promise<boolean> {
    let topDev: number | undefined;
    const descend = (abs: string, st: NodeStat): boolean => {
      if (topDev === undefined) topDev = st.dev;
      return crossMountPoints || st.dev === topDev;
    };
    // A full backup opens a regular file without an lstat first (its fstat says all); an incremental lstats
    // every file, to compare it with the base without opening it.
    for (const item of walkTree(top, descend, this.opts.base !== undefined)) {
      if (item.kind === 'unchanged') {
        this.unchangedRun(item.dir, item.names, item.base, item.times, item.from, item.to);
        continue;
      }
      if (item.kind === 'regular') {
        await this.regularByName(item.abs);
        continue;
      }
      if (item.kind === 'error') {
        if (item.top && item.code === 'ENOENT') {
          this.warn(item.abs, `${item.abs}: no such file or directory`, item.code);
          return false;
        }
        this.warn(item.abs, item.code === 'ENOENT' ? `${item.abs}: file vanished before it was read` : `${item.abs}: ${item.message}`, item.code);
        continue;
      }
      if (topDev === undefined) topDev = item.st.dev;
      await this.entry(item.abs, item.st, item.abs === top);
    }
    return true;
  }

  /** `top`: the selection itself (not from a listing: a base in the addon has not matched it yet). */
  private async entry(abs: string, st: NodeStat, top = false): Promise<void> {
    const type = entryTypeOf(st);
    if (type === 'socket') return; // tar cannot hold sockets; GNU tar skips them too
    const linked = type !== 'directory' && st.nlink > 1;
    const key = linked ? st.inodeKey : '';
    // Hard-linked files are always written: their names must stay together in one image.
    const base = this.opts.base;
    if (base instanceof NativeBase) {
      // Listed entries were matched in the listing (those that come here are not in the base as they are now).
      if (top && type !== 'directory' && !linked && base.recordIfUnchanged(abs, this.block)) {
        this.added(1, abs);
        return;
      }
    } else if (base && type !== 'directory' && !linked) {
      const unchanged = this.unchangedRecord(abs, type, st, base);
      if (unchanged) {
        this.record(unchanged);
        return;
      }
    }
    const streamPath = streamPathOf(abs);
    if (linked) {
      const first = this.links.get(key);
      if (first) {
        if (--first.left <= 0) this.links.delete(key);
        const entry = captureEntry(streamPath, 'hardlink', st, this.names, first.streamPath);
        await this.headerOnly(abs, entry, st, first.abs);
        return;
      }
    }
    // Later names link to this one only once its data is in the stream.
    const remember = () => {
      if (linked) this.links.set(key, { abs, streamPath, left: st.nlink - 1 });
    };
    if (type === 'file') {
      if (await this.regular(abs, streamPath, st)) remember();
      return;
    }
    let link = '';
    if (type === 'symlink') {
      try {
        link = (fs.readlinkSync(bytePathToBuffer(abs), { encoding: 'buffer' }) as Buffer).toString('latin1');
      } catch (e) {
        this.warn(abs, `${abs}: cannot read symbolic link: ${(e as Error).message}`, (e as NodeJS.ErrnoException).code);
        return;
      }
    }
    await this.headerOnly(abs, this.withXattrs(abs, captureEntry(streamPath, type, st, this.names, link)), st, link);
    remember();
  }

  /**
   * The record of a file the base holds in the same version (inImage 0), or undefined to write it. One map
   * lookup and a few comparisons with the lstat the walk made; the record is built only for a match.
   */
  private unchangedRecord(abs: string, type: Exclude<ReturnType<typeof entryTypeOf>, 'socket'>, st: NodeStat, base: BaseFiles): FileRecord | undefined {
    const was = base.get(abs);
    if (was === undefined) return undefined;
    const size = type === 'file' ? st.size : 0;
    const mode = st.mode & 0o7777;
    const ino = st.ino;
    if (was.size !== size || was.ino !== ino || was.mode !== mode || was.type !== catalogueTypeOf(type)) return undefined;
    const mtimeNs = st.mtimeNsText;
    const ctime = st.ctimeSeconds;
    if (was.mtimeNs !== mtimeNs || was.ctime !== ctime) return undefined;
    let link = '';
    if (type === 'symlink') {
      try {
        link = (fs.readlinkSync(bytePathToBuffer(abs), { encoding: 'buffer' }) as Buffer).toString('latin1');
      } catch {
        return undefined; // written (and warned about) the usual way
      }
    }
    const uid = st.uid;
    const gid = st.gid;
    const rec: FileRecord = {
      path: abs,
      type: was.type,
      mode,
      uid,
      gid,
      user: this.names.userName(uid),
      group: this.names.groupName(gid),
      size,
      mtimeNs,
      ctime,
      atime: st.atimeSeconds,
      ino,
      dev: st.dev,
      offset: 0,
      link,
      inImage: 0,
    };
    return sameVersion(was, rec) ? rec : undefined;
  }

  /** Adds the entry's extended attributes and ACLs as SCHILY records; trouble reading them is a warning. */
  private withXattrs(abs: string, entry: TarEntry, path = bytePathToBuffer(abs)): TarEntry {
    const problems: XattrProblem[] = [];
    const records = captureXattrs(path, this.names, problems);
    for (const p of problems) this.warn(abs, `${abs}: ${p.message}`, p.code);
    if (Object.keys(records).length > 0) entry.extra = { ...entry.extra, ...records };
    return entry;
  }

  /** The data segments of a file with holes, or undefined to write it whole (no holes, or none detectable). */
  private holesOf(fd: number, abs: string, size: number, blocks: number): SparseSegment[] | undefined {
    if (size === 0 || blocks * 512 >= size) return undefined; // fully allocated: no hole to find
    try {
      const segments = segmentsFromPairs(sys().dataSegments(fd, size));
      return hasHoles(segments, size) ? segments : undefined;
    } catch (e) {
      this.warn(abs, `${abs}: cannot map holes (${(e as Error).message}); stored whole`, (e as NodeJS.ErrnoException).code);
      return undefined;
    }
  }

  private async headerOnly(abs: string, entry: TarEntry, st: NodeStat, link: string): Promise<void> {
    const plan = plainHeaderPlan(entry);
    const header = plan ? undefined : encodeEntryHeader(entry);
    const length = plan ? plan.size : header!.length;
    if (!this.out.fits(length)) await this.out.flush();
    const offset = this.out.offset;
    const { buf, pos } = this.out.reserve(length);
    if (plan) writePlainHeader(plan, buf, pos);
    else header!.copy(buf, pos);
    this.record(fileRecordOf(abs, entry, st, offset, link));
  }

  /**
   * A file its directory lists as regular, not stat'ed yet: opened and fstat'ed, then written as regular() does.
   * Anything else (a hard link, a file that changed type or cannot be opened) takes the lstat path, with its
   * handling and its warnings.
   */
  private async regularByName(abs: string): Promise<void> {
    const path = bytePathToBuffer(abs);
    const st = this.stat;
    let fd = -1;
    try {
      fd = sys().openForBackup(path, st);
    } catch {
      // lstat below says what it is now (vanished, a symlink...) and regular() reports a file that cannot be opened.
    }
    if (fd >= 0 && (st[STAT.mode]! & S_IFMT) === S_IFREG && st[STAT.nlink]! <= 1) {
      await this.regularOpened(abs, streamPathOf(abs), path, fd);
      return;
    }
    if (fd >= 0) fs.closeSync(fd);
    let lst: NodeStat;
    try {
      lst = lstatNode(path);
    } catch (e) {
      const err = e as NodeJS.ErrnoException;
      const code = err.code ?? 'EIO';
      this.warn(abs, code === 'ENOENT' ? `${abs}: file vanished before it was read` : `${abs}: ${err.message}`, code);
      return;
    }
    await this.entry(abs, lst);
  }

  /** Writes a regular file's entry; false when it could not be read (warned). */
  private async regular(abs: string, streamPath: string, lst: NodeStat): Promise<boolean> {
    const path = bytePathToBuffer(abs);
    const st = this.stat;
    let fd: number;
    try {
      // open + fstat + "has it xattrs?" in one addon call; a small file's read, fstat and close in another.
      fd = sys().openForBackup(path, st);
    } catch (e) {
      const err = e as NodeJS.ErrnoException;
      this.warn(abs, `can't open file: ${abs} (errno = ${Math.abs(err.errno ?? 5)}${err.code ? `, ${err.code}` : ''})`, err.code);
      return false;
    }
    if ((st[STAT.mode]! & S_IFMT) !== S_IFREG || st[STAT.ino] !== lst.ino || st[STAT.dev] !== lst.dev) {
      fs.closeSync(fd);
      this.warn(abs, `${abs}: file changed type while being backed up`, 'ECHANGED');
      return false;
    }
    return this.regularOpened(abs, streamPath, path, fd);
  }

  /** Writes the entry of a regular file open on `fd` (this.stat holds its fstat); closes fd. */
  private async regularOpened(abs: string, streamPath: string, path: Buffer, fd: number): Promise<boolean> {
    const st = this.stat;
    let open = true;
    try {
      let entry = captureFileEntry(streamPath, st, this.names);
      // stat[xattrs] is 0 when the file has none (or the file system has no xattrs): no per-file list call then.
      if (st[STAT.xattrs] !== 0) entry = this.withXattrs(abs, entry, path);
      const segments = this.holesOf(fd, abs, entry.size, st[STAT.blocks]!);
      if (segments) entry.sparse = segments;
      const size = entry.size;
      const offset = this.out.offset;
      const spliced = this.splicePipe !== undefined && size >= SPLICE_MIN;
      const plan = segments || size > SMALL_FILE ? null : plainHeaderPlan(entry);
      const header = plan ? undefined : encodeEntryHeader(entry);
      const head = plan ? planBytes(plan) : bytesOf(header!);
      if (segments) {
        await this.sparse(fd, abs, header!, segments);
      } else if (size <= SMALL_FILE && !spliced) {
        const total = head.length + size + paddingFor(size);
        if (!this.out.fits(total)) await this.out.flush();
        const { buf, pos } = this.out.reserve(total);
        head.write(buf, pos);
        let got: number;
        try {
          open = false;
          got = sys().readAndClose(fd, buf, pos + head.length, size, this.after);
        } catch (e) {
          this.out.rollbackTo(offset);
          this.warn(abs, `${abs}: read error: ${(e as Error).message}`, (e as NodeJS.ErrnoException).code);
          return false;
        }
        buf.fill(0, pos + head.length + got, pos + total);
        if (got < size) this.warn(abs, `${abs}: file shrank by ${size - got} bytes while being read; padded with zeros`, 'ESHRANK');
        else if (this.after[STAT.dev] !== -1) this.checkUnchanged(abs, st, this.after);
      } else if (await this.headerAndBody(fd, abs, head, size)) {
        open = false;
        sys().readAndClose(fd, NO_BYTES, 0, 0, this.after); // its fstat after the body, and close
        if (this.after[STAT.dev] !== -1) this.checkUnchanged(abs, st, this.after);
      }
      this.record(recordOfEntry(abs, entry, nodeFieldsOf(st), offset, ''));
      return true;
    } finally {
      if (open) fs.closeSync(fd);
    }
  }

  /**
   * After a file was read whole (`now` its fstat then): warns when it grew (the entry holds the first `st.size`
   * bytes, as its header says) or was rewritten in place while being read.
   */
  private checkUnchanged(abs: string, st: Float64Array, now: Float64Array): void {
    const size = st[STAT.size]!;
    if (now[STAT.size]! > size) this.warn(abs, `${abs}: file grew by ${now[STAT.size]! - size} bytes while being read; stored its first ${size} bytes`, 'EGREW');
    else if (now[STAT.mtimeSec] !== st[STAT.mtimeSec] || now[STAT.mtimeNsec] !== st[STAT.mtimeNsec] || now[STAT.size] !== size) this.warn(abs, `${abs}: file changed while being read`, 'ECHANGED');
  }

  /**
   * Writes a file's body spliced into the pipe, or read in pieces where it cannot be, after its header; true when
   * every byte the header promises came from the file.
   */
  private async headerAndBody(fd: number, abs: string, header: HeaderBytes, size: number): Promise<boolean> {
    if (!this.out.fits(header.length)) await this.out.flush();
    const h = this.out.reserve(header.length);
    header.write(h.buf, h.pos);
    let left = size;
    let failed: string | undefined;
    if (this.splicePipe !== undefined) ({ left, failed } = await this.spliceBody(fd, abs, size));
    while (left > 0) {
      const n = Math.min(left, READ_CHUNK);
      if (!this.out.fits(n)) await this.out.flush();
      const { buf, pos } = this.out.reserve(n);
      let got = 0;
      if (failed === undefined) {
        try {
          got = readFully(fd, buf, pos, n, size - left);
        } catch (e) {
          failed = `${abs}: read error: ${(e as Error).message}; rest padded with zeros`;
        }
        if (got < n && failed === undefined) failed = `${abs}: file shrank by ${left - got} bytes while being read; padded with zeros`;
      }
      if (got < n) buf.fill(0, pos + got, pos + n);
      left -= n;
    }
    const pad = paddingFor(size);
    if (pad > 0) {
      if (!this.out.fits(pad)) await this.out.flush();
      const { buf, pos } = this.out.reserve(pad);
      buf.fill(0, pos, pos + pad);
    }
    if (failed) this.warn(abs, failed, 'EREAD');
    return failed === undefined;
  }

  /**
   * Moves a file's body from the file into the output pipe with splice(2), after the staged bytes (its header).
   * Returns what is left of the body for the read loop: nothing, the zeros for a file that shrank or failed
   * (`failed` set), or the rest of a file on a file system that cannot splice (then no later file tries).
   */
  private async spliceBody(fd: number, abs: string, size: number): Promise<{ left: number; failed?: string }> {
    const pipe = this.splicePipe!;
    if (!this.out.settleThrough((buf, n) => sys().writeToPipe(pipe, buf, 0, n))) await this.out.settle();
    let left = size;
    try {
      while (left > 0) {
        const got = sys().spliceToPipe(fd, this.splicePipe!, size - left, left);
        this.out.wroteDirectly(got);
        left -= got;
        if (got === 0) return { left, failed: `${abs}: file shrank by ${left} bytes while being read; padded with zeros` };
      }
    } catch (e) {
      const err = e as NodeJS.ErrnoException;
      if (err.code === 'EPIPE') throw e;
      if (err.code === 'EINVAL' || err.code === 'ENOSYS') {
        this.splicePipe = undefined;
        return { left };
      }
      return { left, failed: `${abs}: read error: ${err.message}; rest padded with zeros` };
    }
    return { left: 0 };
  }

  /** Writes a sparse file's header (with its map) and then only its data segments, read at their offsets. */
  private async sparse(fd: number, abs: string, header: Buffer, segments: SparseSegment[]): Promise<void> {
    if (!this.out.fits(header.length)) await this.out.flush();
    const h = this.out.reserve(header.length);
    header.copy(h.buf, h.pos);
    let failed: string | undefined;
    let stored = 0;
    for (const seg of segments) {
      let done = 0;
      while (done < seg.length) {
        const n = Math.min(seg.length - done, READ_CHUNK);
        if (!this.out.fits(n)) await this.out.flush();
        const { buf, pos } = this.out.reserve(n);
        let got = 0;
        if (failed === undefined) {
          try {
            got = readFully(fd, buf, pos, n, seg.offset + done);
          } catch (e) {
            failed = `${abs}: read error: ${(e as Error).message}; rest padded with zeros`;
          }
          if (got < n && failed === undefined) failed = `${abs}: file shrank while being read; padding with zeros`;
        }
        if (got < n) buf.fill(0, pos + got, pos + n);
        done += n;
      }
      stored += seg.length;
    }
    const pad = paddingFor(stored);
    if (pad > 0) {
      if (!this.out.fits(pad)) await this.out.flush();
      const { buf, pos } = this.out.reserve(pad);
      buf.fill(0, pos, pos + pad);
    }
    if (failed) this.warn(abs, failed, 'EREAD');
  }

  async finish(): Promise<number> {
    const end = encodeArchiveEnd(this.out.offset);
    await this.out.push(end);
    await this.out.flush();
    this.flushRecords();
    return this.out.offset;
  }
}

/** Reads up to n bytes at buf[pos..] (from `position` when given, else the file offset); fewer only at end of file. */
function readFully(fd: number, buf: Buffer, pos: number, n: number, position: number | null = null): number {
  let got = 0;
  while (got < n) {
    let r: number;
    try {
      r = fs.readSync(fd, buf, pos + got, n - got, position === null ? null : position + got);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'EAGAIN' || (e as NodeJS.ErrnoException).code === 'EINTR') continue;
      throw e;
    }
    if (r === 0) break;
    got += r;
  }
  return got;
}

/** Runs a backup: stream to opts.out, events to opts.onEvent; resolves with the NetBackup status. */
export async function runBackup(spec: BpbkarSpec, opts: BackupOptions): Promise<BackupResult> {
  // The base (given, or read here) is closed at the end.
  const base = opts.base ?? (spec.baseFiles !== undefined ? await openBase(spec.baseFiles) : undefined);
  const backup = new Backup(base ? { ...opts, base } : opts);
  const crossMountPoints = spec.crossMountPoints ?? true;
  let found = 0;
  for (const raw of spec.paths) {
    if (!raw.startsWith('/') || normalizeAbsolute(raw).split('/').includes('..')) {
      backup.warn(raw, `${raw}: not an absolute path without '..'; skipped`, 'EINVAL');
      continue;
    }
    if (await backup.selection(normalizeAbsolute(raw), crossMountPoints)) found++;
  }
  const bytes = await backup.finish();
  base?.close();
  let status: number = STATUS.OK.status;
  let message: string | undefined;
  if (found === 0) {
    status = STATUS.NO_FILES_EXIST.status;
    message = 'none of the files in the file list exist';
  } else if (backup.warnings > 0) {
    status = STATUS.PARTIAL.status;
    message = `${backup.warnings} file(s) could not be backed up`;
  }
  opts.onEvent({ kind: 'end', status, files: backup.files, bytes, ...(message ? { message } : {}) });
  return { status, files: backup.files, bytes, warnings: backup.warnings };
}

