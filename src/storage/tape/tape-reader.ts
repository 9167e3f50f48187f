// Reads a range of an image's data stream back from tape: straight to each fragment's tape file, BH skipped.
//
// Positioning: rewind + fsf fileNumber, check the BH (copy, fragment number, media ID), then fsr over the
// whole records before the range start (fragments are full blockSize records except possibly the last,
// unless flagged IRREGULAR, in which case the records are read and dropped). Spanned images: each
// fragment names its cartridge; `mount(mediaId)` hands back an open handle for it.

import crypto from 'node:crypto';
import type { FragmentRecord } from '../../protocol/records.js';
import { OpenbpError } from '../../protocol/errors.js';
import { fragmentsInRange, type ImageReader, type StreamRange } from '../driver.js';
import { decodeHeader } from './backup-header.js';
import { HEADER_BYTES } from './header-fields.js';
import type { TapeHandle } from './tape-device.js';
import { isTapeError, errorText } from './tape-error.js';
import { FRAGMENT_FLAG_IRREGULAR, MEDIA_TYPE_TAPE } from './tape-writer.js';

/** Gives an open handle on the cartridge with this media ID (loading it if needed). The reader never closes it. */
export type MountForRead = (mediaId: string) => Promise<TapeHandle>;

interface OpenFragment {
  readonly record: FragmentRecord;
  readonly handle: TapeHandle;
  /** Stream offset where reading this fragment stops. */
  readonly stopAt: number;
  readonly hash: crypto.Hash | undefined;
  /** Stream offset of the first byte of `buf`. */
  bufAt: number;
  buf: Uint8Array;
}

export class TapeImageReader implements ImageReader {
  private readonly fragments: FragmentRecord[];
  private readonly end: number;
  private next = 0;
  private pos: number;
  private current: OpenFragment | undefined;
  private closed = false;

  constructor(
    fragments: readonly FragmentRecord[],
    range: StreamRange,
    private readonly mount: MountForRead,
    /** Told each time the drive was positioned at a fragment (for the media server's log). */
    private readonly onPositioned: (f: FragmentRecord) => void = () => {},
  ) {
    this.fragments = fragmentsInRange(
      fragments.filter((f) => f.mediaType === MEDIA_TYPE_TAPE),
      range,
    );
    this.pos = Math.max(0, range.start);
    this.end = range.end < 0 ? Number.POSITIVE_INFINITY : range.end;
  }

  async read(buf: Uint8Array, offset: number, length: number): Promise<number> {
    if (this.closed || length <= 0 || this.pos >= this.end) return 0;
    const frag = this.current ?? (await this.openNext());
    if (!frag) return 0;
    while (frag.bufAt + frag.buf.length <= this.pos) await this.nextRecord(frag);
    const from = this.pos - frag.bufAt;
    const n = Math.min(length, frag.buf.length - from, frag.stopAt - this.pos);
    buf.set(frag.buf.subarray(from, from + n), offset);
    this.pos += n;
    if (this.pos >= frag.stopAt) await this.endFragment(frag);
    return n;
  }

  async close(): Promise<void> {
    this.closed = true;
    this.current = undefined;
  }

  private async openNext(): Promise<OpenFragment | undefined> {
    const record = this.fragments[this.next++];
    if (!record) return undefined;
    if (record.streamOffset > this.pos) throw this.fail(`a gap before fragment ${record.fragment} at stream offset ${this.pos}`);
    let handle: TapeHandle;
    try {
      handle = await this.mount(record.mediaId);
    } catch (e) {
      if (e instanceof OpenbpError) throw e;
      throw new OpenbpError('MEDIA_OPEN_ERROR', `mounting ${record.mediaId}: ${errorText(e)}`, { cause: e, media: record.mediaId });
    }
    await this.positionAtFragment(handle, record);
    this.onPositioned(record);
    const within = this.pos - record.streamOffset;
    const whole = within === 0 && this.end >= record.streamOffset + record.bytes;
    const frag: OpenFragment = {
      record,
      handle,
      stopAt: Math.min(this.end, record.streamOffset + record.bytes),
      hash: whole ? crypto.createHash('sha256') : undefined,
      bufAt: record.streamOffset,
      buf: new Uint8Array(0),
    };
    const skip = Math.floor(within / record.blockSize);
    if (skip > 0 && (record.flags & FRAGMENT_FLAG_IRREGULAR) === 0) {
      try {
        await handle.spaceRecords(skip);
      } catch (e) {
        throw this.fail(`spacing ${skip} records into fragment ${record.fragment} on ${record.mediaId}: ${errorText(e)}`, e);
      }
      frag.bufAt = record.streamOffset + skip * record.blockSize;
    }
    this.current = frag;
    return frag;
  }

  /** rewind, fsf fileNumber, read the BH and check it names this fragment (94 if not). */
  private async positionAtFragment(h: TapeHandle, f: FragmentRecord): Promise<void> {
    let rec: Uint8Array;
    try {
      await h.rewind();
      if (f.fileNumber > 0) await h.spaceFiles(f.fileNumber);
      rec = await h.readBlock(Math.max(HEADER_BYTES, f.blockSize));
    } catch (e) {
      throw new OpenbpError('CANNOT_POSITION_TO_IMAGE', `positioning to file ${f.fileNumber} of ${f.mediaId}: ${errorText(e)}`, { cause: e, media: f.mediaId });
    }
    const d = decodeHeader(rec);
    const ok = d.ok && d.kind === 'BH' && d.mediaId === f.mediaId && d.header.copy === f.copy && d.header.fragment === f.fragment && d.header.streamOffset === f.streamOffset;
    if (!ok) throw new OpenbpError('CANNOT_POSITION_TO_IMAGE', `file ${f.fileNumber} of ${f.mediaId} does not start with the backup header of copy ${f.copy} fragment ${f.fragment}`, { media: f.mediaId });
  }

  private async nextRecord(frag: OpenFragment): Promise<void> {
    let b: Uint8Array;
    try {
      b = await frag.handle.readBlock(frag.record.blockSize);
    } catch (e) {
      if (isTapeError(e, 'EIO') || isTapeError(e, 'ENOMEM')) throw this.fail(`reading fragment ${frag.record.fragment} on ${frag.record.mediaId}: ${errorText(e)}`, e);
      throw e;
    }
    if (b.length === 0) throw this.fail(`fragment ${frag.record.fragment} on ${frag.record.mediaId} is shorter than its ${frag.record.bytes} bytes`);
    frag.bufAt += frag.buf.length;
    frag.buf = b;
    frag.hash?.update(b);
  }

  private async endFragment(frag: OpenFragment): Promise<void> {
    this.current = undefined;
    if (!frag.hash) return;
    // A whole fragment: its last record was consumed entirely; the checksum covers exactly `bytes` bytes.
    if (frag.bufAt + frag.buf.length !== frag.record.streamOffset + frag.record.bytes) throw this.fail(`fragment ${frag.record.fragment} on ${frag.record.mediaId} is longer than its record`);
    if (frag.hash.digest('hex') !== frag.record.checksum) throw this.fail(`checksum mismatch in fragment ${frag.record.fragment} on ${frag.record.mediaId}`);
  }

  private fail(what: string, cause?: unknown): OpenbpError {
    this.closed = true;
    this.current = undefined;
    return new OpenbpError('MEDIA_READ_ERROR', what, cause !== undefined ? { cause } : {});
  }
}
