// Reads a range of an image's stream back from its disk fragment files, checking whole fragments' sha256.

import fs from 'node:fs';
import crypto from 'node:crypto';
import type { FragmentRecord } from '../../protocol/records.js';
import { fragmentsInRange, type ImageReader, type StreamRange } from '../driver.js';
import { errnoOf, readFailure } from './io-errors.js';

interface OpenFragment {
  readonly record: FragmentRecord;
  readonly fd: number;
  /** Stream offset where reading this fragment stops (its end, or the range's end). */
  readonly stopAt: number;
  /** Set when the fragment is read from its first byte to its last: its checksum is checked. */
  readonly hash: crypto.Hash | undefined;
}

export class DiskImageReader implements ImageReader {
  private readonly fragments: FragmentRecord[];
  private readonly end: number;
  private next = 0;
  private pos: number;
  private current: OpenFragment | undefined;
  private closed = false;

  constructor(fragments: readonly FragmentRecord[], range: StreamRange) {
    this.fragments = fragmentsInRange(
      fragments.filter((f) => f.mediaType === 0),
      range,
    );
    this.pos = Math.max(0, range.start);
    this.end = range.end < 0 ? Number.POSITIVE_INFINITY : range.end;
  }

  async read(buf: Uint8Array, offset: number, length: number): Promise<number> {
    return this.readSync(buf, offset, length);
  }

  /** The synchronous body of read(). */
  readSync(buf: Uint8Array, offset: number, length: number): number {
    if (this.closed || length <= 0 || this.pos >= this.end) return 0;
    const frag = this.current ?? this.openNext();
    if (!frag) return 0;
    const want = Math.min(length, frag.stopAt - this.pos);
    let n: number;
    try {
      n = fs.readSync(frag.fd, buf, offset, want, this.pos - frag.record.streamOffset + frag.record.offset);
    } catch (e) {
      this.closeSync();
      throw readFailure(`reading ${frag.record.mediaId}`, e);
    }
    if (n === 0) {
      this.closeSync();
      throw readFailure(`${frag.record.mediaId} is shorter than its ${frag.record.bytes} bytes`);
    }
    frag.hash?.update(buf.subarray(offset, offset + n));
    this.pos += n;
    if (this.pos >= frag.stopAt) this.endFragment(frag);
    return n;
  }

  async close(): Promise<void> {
    this.closeSync();
  }

  closeSync(): void {
    this.closed = true;
    if (this.current) {
      try {
        fs.closeSync(this.current.fd);
      } catch {
        // already closed
      }
      this.current = undefined;
    }
  }

  private openNext(): OpenFragment | undefined {
    const record = this.fragments[this.next];
    if (!record) return undefined;
    this.next++;
    if (record.streamOffset > this.pos) {
      this.closeSync();
      throw readFailure(`image data from stream offset ${this.pos} to ${record.streamOffset} is in no fragment`);
    }
    let fd: number;
    try {
      fd = fs.openSync(record.mediaId, 'r');
    } catch (e) {
      this.closeSync();
      throw readFailure(`cannot open fragment ${record.fragment} (${record.mediaId})`, e, errnoOf(e) === 'EIO' ? 'MEDIA_READ_ERROR' : 'MEDIA_OPEN_ERROR');
    }
    const size = fs.fstatSync(fd).size;
    if (size < record.offset + record.bytes) {
      fs.closeSync(fd);
      this.closeSync();
      throw readFailure(`${record.mediaId} holds ${size} bytes, its record says ${record.bytes}`);
    }
    const fragEnd = record.streamOffset + record.bytes;
    // A fragment written without a whole-fragment checksum (its blocks are checked by bptm) is not hashed.
    const whole = this.pos === record.streamOffset && this.end >= fragEnd && record.checksum !== '';
    this.current = { record, fd, stopAt: Math.min(fragEnd, this.end), hash: whole ? crypto.createHash('sha256') : undefined };
    return this.current;
  }

  private endFragment(frag: OpenFragment): void {
    fs.closeSync(frag.fd);
    this.current = undefined;
    if (frag.hash && frag.record.checksum !== '') {
      const sum = frag.hash.digest('hex');
      if (sum !== frag.record.checksum) {
        this.closeSync();
        throw readFailure(`fragment ${frag.record.fragment} (${frag.record.mediaId}) fails its checksum: sha256 ${sum}, recorded ${frag.record.checksum}`);
      }
    }
  }
}
