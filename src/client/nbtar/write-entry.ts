// Writes one non-directory entry at its destination through a temporary name, then renames it into place.

import fs from 'node:fs';
import { bytePathToBuffer } from '../../protocol/byte-path.js';
import type { TarEntry } from '../../archive/tar-entry.js';
import type { TarReader } from '../../archive/tar-reader.js';
import type { IdNames } from '../../archive/id-names.js';
import { applyOwner, applyTimes, modeToApply, resolveOwner, timesToApply } from '../../archive/metadata-apply.js';
import { sys } from '../../native/sys.js';
import { applyXattrs, xattrsToApply, type XattrProblem } from '../../archive/xattr-records.js';
import { tempPathBeside } from './temp-name.js';

export interface WriteContext {
  restoreOwnership: boolean;
  names: IdNames;
  /** An attribute of `dest` that could not be restored (the entry itself is kept): a warning, status 1. */
  onProblem: (dest: string, problem: XattrProblem) => void;
}

/** Sets the entry's xattrs and ACLs on `path` (after chown, which would drop security.capability; before chmod). */
function restoreXattrs(path: Buffer, dest: string, entry: TarEntry, ctx: WriteContext): void {
  if (!entry.extra) return;
  const problems: XattrProblem[] = [];
  applyXattrs(path, xattrsToApply(entry.extra, ctx.names, problems), problems);
  for (const p of problems) ctx.onProblem(dest, p);
}

/** Maps the sequential data of a sparse body onto its segments: each piece is written at its own file offset. */
class SparsePlacer {
  private seg = 0;
  private inSeg = 0;

  constructor(private readonly segments: ReadonlyArray<{ offset: number; length: number }>) {}

  /** Writes chunk[0..len) with pwrite; returns bytes written. */
  write(fd: number, chunk: Buffer, len: number): number {
    let off = 0;
    while (off < len) {
      const s = this.segments[this.seg];
      if (!s) throw new Error('sparse body longer than its map');
      const n = Math.min(len - off, s.length - this.inSeg);
      let done = 0;
      while (done < n) done += fs.writeSync(fd, chunk, off + done, n - done, s.offset + this.inSeg + done);
      off += n;
      this.inSeg += n;
      if (this.inSeg === s.length) {
        this.seg++;
        this.inSeg = 0;
      }
    }
    return len;
  }
}

/** Large files are written in pieces of this size. */
const WRITE_CHUNK = 1024 * 1024;
const S_IFCHR = 0o020000;
const S_IFBLK = 0o060000;

/** Creates something at a fresh temp path with `make`, retrying on a name clash; returns the temp path. */
function createTemp(dest: string, make: (tmp: Buffer) => void): string {
  for (let i = 0; ; i++) {
    const tmp = tempPathBeside(dest);
    try {
      make(bytePathToBuffer(tmp));
      return tmp;
    } catch (e) {
      const err = e as NodeJS.ErrnoException;
      if (err.code !== 'EEXIST' || err.syscall === 'rename' || i >= 8) throw e;
    }
  }
}

function removeQuietly(p: string): void {
  try {
    fs.unlinkSync(bytePathToBuffer(p));
  } catch {
    /* already gone */
  }
}

/** Renames a finished temp into place; on failure the temp is removed. */
function commit(tmp: string, dest: string): void {
  try {
    fs.renameSync(bytePathToBuffer(tmp), bytePathToBuffer(dest));
  } catch (e) {
    removeQuietly(tmp);
    throw e;
  }
}

/** The body of the entry being restored (TarReader's view of it). */
export type EntryBody = Pick<TarReader, 'body' | 'moveBodyTo' | 'canMoveBody'>;

/**
 * Bodies at least this large are moved straight from a pipe into the file (splice) when the input allows it:
 * below it, the few bytes past the reader's buffer are not worth a thread-pool round trip.
 */
const MOVE_MIN = 256 * 1024;

/** Writes the body through JS: sparse pieces at their offsets, large files gathered into >= 1 MiB writes. */
async function writeChunks(fd: number, entry: TarEntry, body: AsyncIterable<Buffer>): Promise<number> {
  let written = 0;
  let writeError: unknown;
  // Pipe reads arrive in 64 KiB pieces: gather them into >= 1 MiB writes for large files.
  const placer = entry.sparse ? new SparsePlacer(entry.sparse) : null;
  const staging = entry.size > WRITE_CHUNK && placer === null ? Buffer.allocUnsafe(WRITE_CHUNK) : null;
  let staged = 0;
  const writeAll = (b: Buffer, len: number) => {
    if (placer) {
      written += placer.write(fd, b, len);
      return;
    }
    let off = 0;
    while (off < len) off += fs.writeSync(fd, b, off, len - off);
    written += len;
  };
  for await (const chunk of body) {
    if (writeError !== undefined) continue; // keep reading the body so the stream stays in step
    try {
      if (staging === null) writeAll(chunk, chunk.length);
      else {
        let off = 0;
        while (off < chunk.length) {
          const n = Math.min(chunk.length - off, WRITE_CHUNK - staged);
          chunk.copy(staging, staged, off, off + n);
          staged += n;
          off += n;
          if (staged === WRITE_CHUNK) {
            writeAll(staging, staged);
            staged = 0;
          }
        }
      }
    } catch (e) {
      writeError = e;
    }
  }
  if (writeError === undefined && staging !== null && staged > 0) {
    try {
      writeAll(staging, staged);
    } catch (e) {
      writeError = e;
    }
  }
  if (writeError !== undefined) throw writeError;
  return written;
}

/** Whether writeWholeFile takes this entry: a plain regular file (no holes, no xattrs) under 256 KiB. */
export function writesWhole(entry: TarEntry): boolean {
  return entry.type === 'file' && !entry.sparse && !entry.extra && entry.size < MOVE_MIN;
}

/**
 * A small plain file (see writesWhole) from its body in memory: written, owned, moded, timed and named by one addon
 * call (seven calls and an async iteration per file before: most of nbtar's time on small files). The file gets
 * its name only when whole: made unnamed and linked where nothing is, or renamed over what is there (the rename
 * of every file was a third of the call's time on ext4). Throws EISDIR (syscall rename) when a directory is in its
 * place, having left nothing behind. Returns the bytes written.
 */
export function writeWholeFile(dest: string, entry: TarEntry, data: Buffer, ctx: WriteContext): number {
  const { uid, gid } = ctx.restoreOwnership ? resolveOwner(entry, ctx.names) : { uid: -1, gid: -1 };
  const mode = modeToApply(entry, ctx.restoreOwnership);
  const [aSec, aNsec, mSec, mNsec] = timesToApply(entry);
  const to = bytePathToBuffer(dest);
  createTemp(dest, (tmp) => sys().writeNewFile(tmp, to, data, uid, gid, mode, aSec, aNsec, mSec, mNsec));
  return data.length;
}

/** A regular file: content (moved from a pipe, or streamed), owner, mode, times, rename. Returns bytes written. */
export async function writeRegular(dest: string, entry: TarEntry, body: EntryBody, ctx: WriteContext): Promise<number> {
  let fd = -1;
  const tmp = createTemp(dest, (b) => {
    fd = fs.openSync(b, fs.constants.O_WRONLY | fs.constants.O_CREAT | fs.constants.O_EXCL | fs.constants.O_NOFOLLOW, 0o600);
  });
  let written: number;
  try {
    if (!entry.sparse && entry.size >= MOVE_MIN && body.canMoveBody) written = await body.moveBodyTo(fd);
    else written = await writeChunks(fd, entry, body.body());
    if (entry.sparse) fs.ftruncateSync(fd, entry.size); // the holes (a trailing one too) stay unallocated
    if (ctx.restoreOwnership) {
      const { uid, gid } = resolveOwner(entry, ctx.names);
      fs.fchownSync(fd, uid, gid);
    }
    restoreXattrs(bytePathToBuffer(tmp), dest, entry, ctx);
    fs.fchmodSync(fd, modeToApply(entry, ctx.restoreOwnership));
    fs.closeSync(fd);
    fd = -1;
    applyTimes(bytePathToBuffer(tmp), entry, true);
  } catch (e) {
    if (fd >= 0) fs.closeSync(fd);
    removeQuietly(tmp);
    throw e;
  }
  commit(tmp, dest);
  return written;
}

/** A symlink: created under a temp name, lchown, ns times without following, rename. */
export function writeSymlink(dest: string, entry: TarEntry, ctx: WriteContext): void {
  const tmp = createTemp(dest, (b) => fs.symlinkSync(bytePathToBuffer(entry.linkpath), b));
  try {
    if (ctx.restoreOwnership) applyOwner(bytePathToBuffer(tmp), entry, ctx.names);
    restoreXattrs(bytePathToBuffer(tmp), dest, entry, ctx);
    applyTimes(bytePathToBuffer(tmp), entry, true);
  } catch (e) {
    removeQuietly(tmp);
    throw e;
  }
  commit(tmp, dest);
}

/** A FIFO or device node: mkfifo/mknod, owner, mode, times, rename. */
export function writeSpecial(dest: string, entry: TarEntry, ctx: WriteContext): void {
  const tmp = createTemp(dest, (b) => {
    if (entry.type === 'fifo') sys().mkfifo(b, 0o600);
    else sys().mknod(b, (entry.type === 'char' ? S_IFCHR : S_IFBLK) | 0o600, entry.devmajor, entry.devminor);
  });
  const b = bytePathToBuffer(tmp);
  try {
    if (ctx.restoreOwnership) applyOwner(b, entry, ctx.names);
    restoreXattrs(b, dest, entry, ctx);
    fs.chmodSync(b, modeToApply(entry, ctx.restoreOwnership));
    applyTimes(b, entry, true);
  } catch (e) {
    removeQuietly(tmp);
    throw e;
  }
  commit(tmp, dest);
}

/** A hard link to `target` (already checked to lie inside the restore target), replacing dest atomically. */
export function writeHardLink(dest: string, target: string): void {
  const tmp = createTemp(dest, (b) => fs.linkSync(bytePathToBuffer(target), b));
  commit(tmp, dest);
}

/** Directory metadata, applied after its contents: owner, xattrs and ACLs, mode, times. */
export function applyDirectory(dest: string, entry: TarEntry, ctx: WriteContext): void {
  const b = bytePathToBuffer(dest);
  if (ctx.restoreOwnership) applyOwner(b, entry, ctx.names);
  restoreXattrs(b, dest, entry, ctx);
  fs.chmodSync(b, modeToApply(entry, ctx.restoreOwnership));
  applyTimes(b, entry, true);
}
