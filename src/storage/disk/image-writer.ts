// Writes one image copy to a disk storage unit as fragment files, each durable before it is reported.

import fs from 'node:fs';
import path from 'node:path';
import crypto from 'node:crypto';
import type { FragmentRecord } from '../../protocol/records.js';
import { OpenbpError } from '../../protocol/errors.js';
import type { ImageWriteRequest, ImageWriter } from '../driver.js';
import { fragmentFileName, PART_SUFFIX } from './fragment-names.js';
import { errnoOf, syncDirectory, writeFailure } from './io-errors.js';
import { alignedPrefix, openDirect, writeAllAt, writeAllAtAsync } from './aligned-writes.js';

export interface DiskWriterPlace {
  /** Absolute path of the unit's directory (exists). */
  readonly dir: string;
  /** The media server that owns the unit (FragmentRecord.host). */
  readonly host: string;
  /** Maximum fragment size in bytes, already rounded to whole blocks. */
  readonly maxFragmentBytes: number;
  /** How a fragment is opened for O_DIRECT writes (tests stand in a file system that refuses them); default openDirect. */
  readonly openDirect?: (file: string) => number | undefined;
}

interface OpenFragment {
  readonly fd: number;
  readonly partPath: string;
  readonly finalPath: string;
  readonly number: number;
  readonly hash: crypto.Hash | undefined;
  /** The same file opened O_DIRECT, once an aligned run came (undefined: not yet, or refused). */
  directFd: number | undefined;
  bytes: number;
}

export class DiskImageWriter implements ImageWriter {
  private current: OpenFragment | undefined;
  private readonly done: FragmentRecord[] = [];
  private streamOffset = 0;
  private dead = false;
  private readonly mediaDate: number;
  /** Aligned runs go past the page cache until the file system refuses direct I/O once. */
  private direct: boolean;
  /** The write startMany left running (at most one), rejecting with the writer's failure. */
  private inflight: Promise<void> | undefined;

  constructor(
    private readonly place: DiskWriterPlace,
    private readonly req: ImageWriteRequest,
  ) {
    this.mediaDate = req.mediaDate ?? Math.floor(Date.now() / 1000);
    this.direct = req.directIo === true;
  }

  get fragmentBytes(): number {
    return this.current?.bytes ?? 0;
  }

  get room(): number {
    return this.place.maxFragmentBytes - this.fragmentBytes;
  }

  get fragments(): readonly FragmentRecord[] {
    return this.done;
  }

  async write(block: Uint8Array): Promise<void> {
    await this.settle();
    this.writeSync(block);
  }

  /** The synchronous body of write(), for callers that keep their own loop tight. */
  writeSync(block: Uint8Array): void {
    this.checkAlive();
    if (block.length === 0) return;
    this.append([block]);
  }

  async writeMany(blocks: readonly Uint8Array[]): Promise<void> {
    await this.settle();
    this.writeManySync(blocks);
  }

  /**
   * Like writeMany, but an O_DIRECT run is left writing on the thread pool: resolves once every earlier write is
   * done and this one has started. The blocks must stay as they are until the next call on this writer resolves
   * (settle, startMany, write, finishFragment).
   */
  async startMany(blocks: readonly Uint8Array[]): Promise<void> {
    await this.settle();
    this.checkAlive();
    const frag = this.current ?? this.openFragment();
    const n = this.direct ? alignedPrefix(blocks, frag.bytes) : 0;
    const fd = n > 0 ? this.directFdOf(frag) : undefined;
    if (fd === undefined) {
      this.append(blocks);
      return;
    }
    const run = n === blocks.length ? blocks : blocks.slice(0, n);
    const rest = n === blocks.length ? [] : blocks.slice(n);
    const at = frag.bytes;
    let runBytes = 0;
    for (const b of run) runBytes += b.length;
    if (frag.hash) for (const b of blocks) frag.hash.update(b);
    // The bytes are the fragment's from now on (room, fragmentBytes); a failure ends the whole image.
    for (const b of blocks) frag.bytes += b.length;
    const running = writeAllAtAsync(fd, run, at)
      .catch((e: unknown) => {
        if (errnoOf(e) !== 'EINVAL') throw e;
        this.stopDirect(frag);
        return writeAllAt(frag.fd, run, at);
      })
      .then(() => {
        if (rest.length > 0) writeAllAt(frag.fd, rest, at + runBytes);
      })
      .catch((e: unknown) => {
        throw this.fail(writeFailure(e, `writing ${frag.partPath}`));
      });
    running.catch(() => {}); // observed by settle(); never an unhandled rejection meanwhile
    this.inflight = running;
  }

  /** Waits for the write startMany left running; throws its failure. */
  async settle(): Promise<void> {
    const running = this.inflight;
    this.inflight = undefined;
    if (running) await running;
  }

  /** The synchronous body of writeMany(): one writev for all the blocks (short writes are continued). */
  writeManySync(blocks: readonly Uint8Array[]): void {
    this.checkAlive();
    this.append(blocks);
  }

  /**
   * Appends the blocks at the end of the current fragment: the aligned leading ones with one O_DIRECT write when
   * direct I/O is on, the others (a short last block, a run that starts unaligned) through the page cache.
   */
  private append(blocks: readonly Uint8Array[]): void {
    const frag = this.current ?? this.openFragment();
    let written = 0;
    try {
      let from = 0;
      if (this.direct) {
        const n = alignedPrefix(blocks, frag.bytes);
        const fd = n > 0 ? this.directFdOf(frag) : undefined;
        if (fd !== undefined) {
          const run = n === blocks.length ? blocks : blocks.slice(0, n);
          try {
            written += writeAllAt(fd, run, frag.bytes);
            from = n;
          } catch (e) {
            // A file system that opens O_DIRECT but refuses the write: the same bytes through the page cache.
            if (errnoOf(e) !== 'EINVAL') throw e;
            this.stopDirect(frag);
          }
        }
      }
      if (from < blocks.length) written += writeAllAt(frag.fd, from === 0 ? blocks : blocks.slice(from), frag.bytes + written);
    } catch (e) {
      throw this.fail(writeFailure(e, `writing ${frag.partPath}`));
    }
    if (frag.hash) for (const b of blocks) frag.hash.update(b);
    frag.bytes += written;
  }

  private directFdOf(frag: OpenFragment): number | undefined {
    if (frag.directFd === undefined) {
      frag.directFd = (this.place.openDirect ?? openDirect)(frag.partPath);
      if (frag.directFd === undefined) this.direct = false;
    }
    return frag.directFd;
  }

  private stopDirect(frag: OpenFragment): void {
    this.direct = false;
    if (frag.directFd !== undefined) fs.closeSync(frag.directFd);
    frag.directFd = undefined;
  }

  async finishFragment(): Promise<FragmentRecord> {
    await this.settle();
    return this.finishFragmentSync();
  }

  finishFragmentSync(): FragmentRecord {
    this.checkAlive();
    const frag = this.current;
    if (!frag) throw new OpenbpError('MEDIA_WRITE_ERROR', 'no fragment is open');
    try {
      // One fsync covers both descriptors: the direct writes are on the device already, the size and extents are not.
      fs.fsyncSync(frag.fd);
      if (frag.directFd !== undefined) fs.closeSync(frag.directFd);
      fs.closeSync(frag.fd);
    } catch (e) {
      throw this.fail(writeFailure(e, `syncing ${frag.partPath}`));
    }
    this.current = undefined;
    try {
      fs.renameSync(frag.partPath, frag.finalPath);
    } catch (e) {
      this.unlinkQuietly(frag.partPath);
      throw this.fail(writeFailure(e, `renaming ${frag.partPath}`));
    }
    const record = this.record(frag);
    this.done.push(record);
    this.streamOffset += frag.bytes;
    try {
      syncDirectory(this.place.dir);
    } catch (e) {
      throw this.fail(writeFailure(e, `syncing ${this.place.dir}`));
    }
    return record;
  }

  async abort(): Promise<void> {
    // A write still running keeps its descriptor until it returns.
    await this.inflight?.catch(() => {});
    this.inflight = undefined;
    this.abortSync();
  }

  abortSync(): void {
    this.dead = true;
    const frag = this.current;
    this.current = undefined;
    if (frag) {
      for (const fd of [frag.fd, frag.directFd]) {
        try {
          if (fd !== undefined) fs.closeSync(fd);
        } catch {
          // already closed
        }
      }
      this.unlinkQuietly(frag.partPath);
      this.unlinkQuietly(frag.finalPath);
    }
    for (const f of this.done) this.unlinkQuietly(f.mediaId);
    try {
      syncDirectory(this.place.dir);
    } catch {
      // best effort: the names are gone from the namespace either way
    }
  }

  private openFragment(): OpenFragment {
    const number = this.done.length + 1;
    const name = fragmentFileName(this.req.backupid, this.req.copy, number);
    const finalPath = path.join(this.place.dir, name);
    const partPath = finalPath + PART_SUFFIX;
    let fd: number;
    try {
      fd = fs.openSync(partPath, 'w', 0o600);
    } catch (e) {
      throw this.fail(writeFailure(e, `creating ${partPath}`, 'MEDIA_OPEN_ERROR'));
    }
    const hash = this.req.fragmentChecksum === false ? undefined : crypto.createHash('sha256');
    this.current = { fd, partPath, finalPath, number, hash, directFd: undefined, bytes: 0 };
    return this.current;
  }

  private record(frag: OpenFragment): FragmentRecord {
    return {
      copy: this.req.copy,
      fragment: frag.number,
      kbytes: Math.floor(frag.bytes / 1024),
      remainder: frag.bytes % 1024,
      mediaType: 0,
      density: 0,
      fileNumber: 0,
      mediaId: frag.finalPath,
      host: this.place.host,
      blockSize: this.req.blockSize,
      offset: 0,
      mediaDate: this.mediaDate,
      devWritten: 0,
      flags: 0,
      expiration: this.req.expiration,
      retentionLevel: this.req.retentionLevel,
      streamOffset: this.streamOffset,
      bytes: frag.bytes,
      checksum: frag.hash?.digest('hex') ?? '',
    };
  }

  private checkAlive(): void {
    if (this.dead) throw new OpenbpError('MEDIA_WRITE_ERROR', 'the image write was aborted');
  }

  /** Removes everything written, then hands back the error to throw. */
  private fail(err: OpenbpError): OpenbpError {
    this.abortSync();
    return err;
  }

  private unlinkQuietly(p: string): void {
    try {
      fs.unlinkSync(p);
    } catch {
      // gone already
    }
  }
}
