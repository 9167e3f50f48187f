// Writes one image copy to a disk storage unit as fragment files, each durable before it is reported.

import fs from 'node:fs';
import path from 'node:path';
import crypto from 'node:crypto';
import type { FragmentRecord } from '../../protocol/records.js';
import { OpenbpError } from '../../protocol/errors.js';
import type { ImageWriteRequest, ImageWriter } from '../driver.js';
import { fragmentFileName, PART_SUFFIX } from './fragment-names.js';
import { syncDirectory, writeFailure } from './io-errors.js';

export interface DiskWriterPlace {
  /** Absolute path of the unit's directory (exists). */
  readonly dir: string;
  /** The media server that owns the unit (FragmentRecord.host). */
  readonly host: string;
  /** Maximum fragment size in bytes, already rounded to whole blocks. */
  readonly maxFragmentBytes: number;
}

interface OpenFragment {
  readonly fd: number;
  readonly partPath: string;
  readonly finalPath: string;
  readonly number: number;
  readonly hash: crypto.Hash | undefined;
  bytes: number;
}

export class DiskImageWriter implements ImageWriter {
  private current: OpenFragment | undefined;
  private readonly done: FragmentRecord[] = [];
  private streamOffset = 0;
  private dead = false;
  private readonly mediaDate: number;

  constructor(
    private readonly place: DiskWriterPlace,
    private readonly req: ImageWriteRequest,
  ) {
    this.mediaDate = req.mediaDate ?? Math.floor(Date.now() / 1000);
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
    this.writeSync(block);
  }

  /** The synchronous body of write(), for callers that keep their own loop tight. */
  writeSync(block: Uint8Array): void {
    this.checkAlive();
    if (block.length === 0) return;
    const frag = this.current ?? this.openFragment();
    try {
      let off = 0;
      while (off < block.length) off += fs.writeSync(frag.fd, block, off, block.length - off);
    } catch (e) {
      throw this.fail(writeFailure(e, `writing ${frag.partPath}`));
    }
    frag.hash?.update(block);
    frag.bytes += block.length;
  }

  async writeMany(blocks: readonly Uint8Array[]): Promise<void> {
    this.writeManySync(blocks);
  }

  /** The synchronous body of writeMany(): one writev for all the blocks (short writes are continued). */
  writeManySync(blocks: readonly Uint8Array[]): void {
    this.checkAlive();
    const frag = this.current ?? this.openFragment();
    let total = 0;
    for (const b of blocks) total += b.length;
    try {
      let done = fs.writevSync(frag.fd, blocks as Uint8Array[]);
      // A short writev (rare on a file): the rest block by block from where it stopped.
      for (let i = 0, start = 0; done < total && i < blocks.length; start += blocks[i]!.length, i++) {
        const b = blocks[i]!;
        let off = Math.max(0, done - start);
        while (off < b.length) {
          const n = fs.writeSync(frag.fd, b, off, b.length - off);
          off += n;
          done += n;
        }
      }
    } catch (e) {
      throw this.fail(writeFailure(e, `writing ${frag.partPath}`));
    }
    if (frag.hash) for (const b of blocks) frag.hash.update(b);
    frag.bytes += total;
  }

  async finishFragment(): Promise<FragmentRecord> {
    return this.finishFragmentSync();
  }

  finishFragmentSync(): FragmentRecord {
    this.checkAlive();
    const frag = this.current;
    if (!frag) throw new OpenbpError('MEDIA_WRITE_ERROR', 'no fragment is open');
    try {
      fs.fsyncSync(frag.fd);
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
    this.abortSync();
  }

  abortSync(): void {
    this.dead = true;
    const frag = this.current;
    this.current = undefined;
    if (frag) {
      try {
        fs.closeSync(frag.fd);
      } catch {
        // already closed
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
    this.current = { fd, partPath, finalPath, number, hash, bytes: 0 };
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
