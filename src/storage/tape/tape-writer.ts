// Writes image copies to one tape cartridge in NetBackup's layout: MH * BH data * ... BH data * EH *.
//
// Steps for a backup: mountForWrite() (label a blank cartridge or check its MH), positionForAppend()
// (find the EH), then a TapeImageWriter writes fragments as tape files and finishImage() ends the
// image with a new EH. At early warning the writer ends the cartridge with two filemarks and no EH and
// throws MediaFullError; the caller mounts another cartridge and calls continueOn() (spanning).

import crypto from 'node:crypto';
import type { FragmentRecord } from '../../protocol/records.js';
import { OpenbpError } from '../../protocol/errors.js';
import type { ImageWriteRequest, ImageWriter } from '../driver.js';
import { decodeMediaHeader, encodeMediaHeader, type MediaHeader } from './media-header.js';
import { BH_FLAG_CONTINUED, decodeHeader, encodeBackupHeader, encodeEmptyHeader } from './backup-header.js';
import type { TapeHandle } from './tape-device.js';
import { isTapeError } from './tape-error.js';

/** FragmentRecord.mediaType of a tape fragment (0 is disk). */
export const MEDIA_TYPE_TAPE = 2;
/** FragmentRecord.flags bit: this fragment continues the image from the previous cartridge. */
export const FRAGMENT_FLAG_CONTINUED = BH_FLAG_CONTINUED;
/** FragmentRecord.flags bit: some record before the last is shorter than blockSize (readers must not fsr to an offset). */
export const FRAGMENT_FLAG_IRREGULAR = 0x100;

/** Large enough for any header and small enough to catch a foreign first record without ENOMEM surprises. */
const PROBE_BYTES = 256 * 1024;

export interface LabelOptions {
  readonly pool: string;
  readonly retentionLevel: number;
  readonly densityCode: number;
  readonly host: string;
  /** Seconds since the epoch; default now. */
  readonly created?: number;
}

function now(): number {
  return Math.floor(Date.now() / 1000);
}

/** Rewinds (variable-block mode) and reads the first record, the media header's place; null on a blank cartridge. */
export async function readFirstRecord(h: TapeHandle, onError: (e: unknown) => Error): Promise<Uint8Array | null> {
  await h.setBlockSize(0).catch(() => {});
  try {
    await h.rewind();
    return await readRecord(h);
  } catch (e) {
    throw onError(e);
  }
}

/** Reads the record at the current position; null when there is none (blank tape or a filemark). A record longer than `max` comes back as max+1 zero bytes (foreign). */
export async function readRecord(h: TapeHandle, max = PROBE_BYTES): Promise<Uint8Array | null> {
  try {
    const b = await h.readBlock(max);
    return b.length === 0 ? null : b;
  } catch (e) {
    if (isTapeError(e, 'EIO') && (await h.status()).flags.eod) return null;
    if (isTapeError(e, 'ENOMEM')) return new Uint8Array(max + 1); // longer than any header: foreign
    throw e;
  }
}

/**
 * Makes the cartridge in `h` ready for writing as `mediaId`: a blank cartridge is labelled (MH + filemark);
 * a labelled one must carry `mediaId` in its MH. Returns the MH and whether it was just written.
 * Errors: 93 WRONG_TAPE (another media ID), 172 MEDIA_HEADER_UNREADABLE (first record is not an openbp MH),
 * 84 on a write failure, 86 on a positioning failure. Leaves the tape somewhere in file 0 or 1.
 */
export async function mountForWrite(h: TapeHandle, mediaId: string, label: LabelOptions): Promise<{ header: MediaHeader; labelled: boolean }> {
  await h.setBlockSize(0).catch(() => {}); // variable block mode; a drive without MTSETBLK stays as it is
  await h.rewind();
  const first = await readRecord(h);
  if (first === null) {
    const header: MediaHeader = { mediaId, created: label.created ?? now(), retentionLevel: label.retentionLevel, densityCode: label.densityCode, pool: label.pool, host: label.host };
    await h.rewind();
    try {
      await h.writeBlock(encodeMediaHeader(header));
      await h.writeFilemarks(1);
    } catch (e) {
      throw new OpenbpError('MEDIA_WRITE_ERROR', `labelling ${mediaId}: ${e instanceof Error ? e.message : String(e)}`, { cause: e, media: mediaId });
    }
    return { header, labelled: true };
  }
  return { header: checkMediaHeader(first, mediaId), labelled: false };
}

/** Checks a record read at BOT against the media ID expected (93 / 172 as mountForWrite). */
export function checkMediaHeader(rec: Uint8Array, mediaId: string): MediaHeader {
  const d = decodeMediaHeader(rec);
  if (!d.ok) throw new OpenbpError('MEDIA_HEADER_UNREADABLE', `io_read_media_header: block read is not a NetBackup media header (${d.detail})`, { media: mediaId });
  if (d.header.mediaId !== mediaId) throw new OpenbpError('WRONG_TAPE', `media ID ${d.header.mediaId} is in the drive, ${mediaId} was requested`, { media: mediaId });
  return d.header;
}

/**
 * Positions a labelled cartridge for appending an image: at the EH (which the next write overwrites), or
 * right after the MH's filemark on a cartridge that holds no image yet. Returns the tape file number the
 * first BH will have. Fast path: seek to end of data, bsf 1, bsr 1, read and check the EH, bsr 1.
 * Errors: 94 CANNOT_POSITION_TO_IMAGE when the last file is not an EH (a full cartridge ends with two
 * filemarks and no EH) or the file number cannot be known; 86 when the drive fails to space.
 */
export async function positionForAppend(h: TapeHandle, mediaId: string): Promise<number> {
  try {
    await h.rewind(); // file number known from here on (a locate or a reopen leaves it unknown)
    await h.seekEod();
    await h.spaceFiles(-1);
  } catch (e) {
    throw new OpenbpError('MEDIA_POSITION_ERROR', `spacing to the end of ${mediaId}: ${e instanceof Error ? e.message : String(e)}`, { cause: e, media: mediaId });
  }
  try {
    await h.spaceRecords(-1);
  } catch (e) {
    // A filemark right before the last one: the cartridge ends "* *" (full, spanned), there is no EH.
    if (isTapeError(e) && e.residual !== undefined) throw new OpenbpError('CANNOT_POSITION_TO_IMAGE', `${mediaId} ends with two filemarks and no empty header (full)`, { cause: e, media: mediaId });
    throw new OpenbpError('MEDIA_POSITION_ERROR', `spacing to the end of ${mediaId}: ${e instanceof Error ? e.message : String(e)}`, { cause: e, media: mediaId });
  }
  const ehAt = await h.tell();
  let file = (await h.status()).fileNumber;
  const rec = await readRecord(h);
  const d = rec === null ? null : decodeHeader(rec);
  if (d?.ok && d.kind === 'MH' && ehAt === 0) {
    await h.seekEod();
    return 1;
  }
  if (!d?.ok || d.kind !== 'EH') throw new OpenbpError('CANNOT_POSITION_TO_IMAGE', `the last tape file of ${mediaId} does not start with an empty header${d && !d.ok ? ` (${d.detail})` : ''}`, { media: mediaId });
  if (d.mediaId !== mediaId) throw new OpenbpError('CANNOT_POSITION_TO_IMAGE', `the empty header belongs to ${d.mediaId}, not ${mediaId}`, { media: mediaId });
  if (file < 0) file = await countFilesTo(h, ehAt); // drives with fast EOM do not keep the file number
  if (file < 0) throw new OpenbpError('CANNOT_POSITION_TO_IMAGE', `cannot tell the file number of the empty header on ${mediaId}`, { media: mediaId });
  await h.locate(ehAt);
  return file;
}

/** Slow path: rewind and fsf file by file until the file that starts at object `at`; -1 if none does. */
async function countFilesTo(h: TapeHandle, at: number): Promise<number> {
  await h.rewind();
  let n = 0;
  while ((await h.tell()) < at) {
    await h.spaceFiles(1);
    n++;
  }
  return (await h.tell()) === at ? n : -1;
}

/** Where a TapeImageWriter writes: an open handle positioned by positionForAppend(), and the unit's settings. */
export interface TapeWriterPlace {
  readonly handle: TapeHandle;
  readonly mediaId: string;
  /** The tape file number positionForAppend() returned. */
  readonly fileNumber: number;
  readonly densityCode: number;
  /** The media server (FragmentRecord.host). */
  readonly host: string;
  /** Maximum fragment size in bytes, already rounded to whole blocks (maxFragmentBytes()). */
  readonly maxFragmentBytes: number;
}

/**
 * Thrown by write() or finishFragment() when the cartridge reached early warning (or its physical end).
 * The cartridge has been closed as NetBackup does (two filemarks, no EH); the fragment in progress was
 * finished there and is in `writer.fragments` (its last record is `fragment`). The block that did not fit
 * is kept by the writer; after continueOn() it is the first data record on the next cartridge.
 * Status 84 for callers that cannot span (it is an OpenbpError with code MEDIA_WRITE_ERROR).
 */
export class MediaFullError extends OpenbpError {
  readonly full = true;
  constructor(
    readonly mediaId: string,
    readonly fragment: FragmentRecord | undefined,
  ) {
    super('MEDIA_WRITE_ERROR', `end of media reached on ${mediaId}`, { media: mediaId });
    this.name = 'MediaFullError';
  }
}

export function isMediaFull(e: unknown): e is MediaFullError {
  return e instanceof MediaFullError;
}

interface OpenFragment {
  readonly number: number;
  readonly fileNumber: number;
  /** Logical object number of the first data record (after the BH). */
  readonly dataObject: number;
  readonly continued: boolean;
  readonly hash: crypto.Hash;
  bytes: number;
  shortSeen: boolean;
  irregular: boolean;
}

/**
 * The ImageWriter for one image copy on tape, one cartridge at a time. Extends the contract with
 * finishImage() (writes the EH; call it once after the last finishFragment()) and continueOn() (spanning).
 * abort() on the current cartridge puts an EH + filemark where this image's first BH on it was (also after
 * finishImage(), for a job that fails later); fragments on earlier cartridges stay (those cartridges were
 * closed full) and must be expired by the caller.
 */
export class TapeImageWriter implements ImageWriter {
  private place: TapeWriterPlace;
  private current: OpenFragment | undefined;
  private readonly done: FragmentRecord[] = [];
  private streamOffset = 0;
  private nextFile: number;
  private dead = false;
  private full = false;
  private pending: Uint8Array | undefined;
  private continuing = false;
  /** Object number of this image's first BH on the current cartridge (abort rewrites an EH there). */
  private firstObject: number | undefined;
  private readonly mediaDate: number;

  constructor(place: TapeWriterPlace, private readonly req: ImageWriteRequest) {
    this.place = place;
    this.nextFile = place.fileNumber;
    this.mediaDate = req.mediaDate ?? now();
  }

  get mediaId(): string {
    return this.place.mediaId;
  }

  /** True once the current cartridge was closed full (two filemarks, no EH); finishImage() can end that way too. */
  get cartridgeFull(): boolean {
    return this.full;
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
    if (this.full && !this.dead && block.length > 0) this.pending = Uint8Array.from(block); // written first by continueOn()
    this.checkWritable();
    if (block.length === 0) return;
    if (block.length > this.req.blockSize) throw await this.fail(new OpenbpError('MEDIA_WRITE_ERROR', `block of ${block.length} bytes exceeds the buffer size ${this.req.blockSize}`));
    let frag = this.current;
    if (!frag) {
      try {
        frag = await this.openFragment();
      } catch (e) {
        if (isMediaFull(e)) this.pending = Uint8Array.from(block);
        throw e;
      }
    }
    try {
      await this.place.handle.writeBlock(block);
    } catch (e) {
      if (isTapeError(e, 'ENOSPC')) {
        this.pending = Uint8Array.from(block);
        throw await this.endCartridge();
      }
      throw await this.fail(new OpenbpError('MEDIA_WRITE_ERROR', `writing ${this.mediaId}: ${e instanceof Error ? e.message : String(e)}`, { cause: e, media: this.mediaId }));
    }
    if (frag.shortSeen) frag.irregular = true;
    if (block.length < this.req.blockSize) frag.shortSeen = true;
    frag.hash.update(block);
    frag.bytes += block.length;
  }

  async finishFragment(): Promise<FragmentRecord> {
    this.checkWritable();
    const frag = this.current;
    if (!frag) throw new OpenbpError('MEDIA_WRITE_ERROR', 'no fragment is open');
    try {
      await this.place.handle.writeFilemarks(1);
    } catch (e) {
      if (isTapeError(e, 'ENOSPC')) throw await this.endCartridge();
      throw await this.fail(new OpenbpError('MEDIA_WRITE_ERROR', `writing a filemark on ${this.mediaId}: ${e instanceof Error ? e.message : String(e)}`, { cause: e, media: this.mediaId }));
    }
    return this.closeFragment(frag);
  }

  /** Ends the image on this cartridge: EH + filemark after the last fragment. Throws 84 when a fragment is still open. */
  async finishImage(): Promise<void> {
    this.checkWritable();
    if (this.current) throw new OpenbpError('MEDIA_WRITE_ERROR', 'finishImage() with a fragment still open');
    try {
      await this.place.handle.writeBlock(encodeEmptyHeader({ mediaId: this.mediaId, written: now() }));
      await this.place.handle.writeFilemarks(1);
    } catch (e) {
      // Past early warning the image is complete anyway; the cartridge is closed full (no EH).
      if (isTapeError(e, 'ENOSPC')) {
        await this.place.handle.writeFilemarks(1).catch(() => {}); // the last fragment's mark is there: two in a row
        this.full = true;
        return;
      }
      throw await this.fail(new OpenbpError('MEDIA_WRITE_ERROR', `writing the empty header on ${this.mediaId}: ${e instanceof Error ? e.message : String(e)}`, { cause: e, media: this.mediaId }));
    }
    this.dead = true; // nothing more may be written by this writer
  }

  /**
   * Makes the image complete on tape as it stands: EH + filemark after the last finished fragment, then
   * back onto the EH, which the next fragment's BH overwrites. A job killed later leaves a cartridge that
   * still ends in an EH after its last whole fragment. Past early warning the cartridge is closed full
   * instead (the next write() throws MediaFullError). Throws 84 when a fragment is open.
   */
  async writeEndMark(): Promise<void> {
    this.checkWritable();
    if (this.current) throw new OpenbpError('MEDIA_WRITE_ERROR', 'writeEndMark() with a fragment still open');
    const h = this.place.handle;
    let at: number;
    try {
      at = await h.tell();
      await h.writeBlock(encodeEmptyHeader({ mediaId: this.mediaId, written: now() }));
      await h.writeFilemarks(1);
      await h.locate(at);
    } catch (e) {
      if (isTapeError(e, 'ENOSPC')) {
        await h.writeFilemarks(1).catch(() => {}); // after the fragment's mark: two in a row, no EH
        this.full = true;
        this.firstObject = undefined;
        return;
      }
      throw await this.fail(new OpenbpError('MEDIA_WRITE_ERROR', `writing the empty header on ${this.mediaId}: ${e instanceof Error ? e.message : String(e)}`, { cause: e, media: this.mediaId }));
    }
  }

  /**
   * Continues the image on another cartridge after MediaFullError: `place` is the next cartridge, mounted
   * and positioned (mountForWrite + positionForAppend). A new fragment (flag CONTINUED) is opened and the
   * block that hit end of media is written first.
   */
  async continueOn(place: TapeWriterPlace): Promise<void> {
    if (!this.full || this.dead) throw new OpenbpError('MEDIA_WRITE_ERROR', 'continueOn() is only valid after MediaFullError');
    this.place = place;
    this.nextFile = place.fileNumber;
    this.full = false;
    this.continuing = true;
    this.firstObject = undefined;
    const block = this.pending;
    this.pending = undefined;
    if (block) await this.write(block);
  }

  async abort(): Promise<void> {
    if (this.dead && this.firstObject === undefined) return;
    this.dead = true;
    this.current = undefined;
    const at = this.firstObject;
    this.firstObject = undefined;
    if (at === undefined || this.full) return;
    try {
      await this.place.handle.locate(at);
      await this.place.handle.writeBlock(encodeEmptyHeader({ mediaId: this.mediaId, written: now() }));
      await this.place.handle.writeFilemarks(1);
    } catch {
      // best effort: the catalogue never lists this image, so its blocks are unreferenced anyway
    }
  }

  private checkWritable(): void {
    if (this.full) throw new MediaFullError(this.mediaId, undefined);
    if (this.dead) throw new OpenbpError('MEDIA_WRITE_ERROR', 'the image write was finished or aborted');
  }

  private async openFragment(): Promise<OpenFragment> {
    const h = this.place.handle;
    const number = this.done.length + 1;
    const fileNumber = this.nextFile;
    const continued = this.continuing;
    this.continuing = false;
    const bhAt = await h.tell();
    const bh = encodeBackupHeader({
      mediaId: this.mediaId,
      written: now(),
      backupid: this.req.backupid,
      copy: this.req.copy,
      fragment: number,
      streamOffset: this.streamOffset,
      blockSize: this.req.blockSize,
      flags: continued ? BH_FLAG_CONTINUED : 0,
      fileNumber,
      retentionLevel: this.req.retentionLevel,
      expiration: this.req.expiration,
      ...(this.req.image ? { image: this.req.image } : {}),
    });
    try {
      await h.writeBlock(bh);
    } catch (e) {
      if (isTapeError(e, 'ENOSPC')) throw await this.endCartridge();
      throw await this.fail(new OpenbpError('MEDIA_WRITE_ERROR', `writing the backup header on ${this.mediaId}: ${e instanceof Error ? e.message : String(e)}`, { cause: e, media: this.mediaId }));
    }
    if (this.firstObject === undefined) this.firstObject = bhAt;
    this.current = { number, fileNumber, dataObject: bhAt + 1, continued, hash: crypto.createHash('sha256'), bytes: 0, shortSeen: false, irregular: false };
    return this.current;
  }

  private closeFragment(frag: OpenFragment): FragmentRecord {
    const record: FragmentRecord = {
      copy: this.req.copy,
      fragment: frag.number,
      kbytes: Math.floor(frag.bytes / 1024),
      remainder: frag.bytes % 1024,
      mediaType: MEDIA_TYPE_TAPE,
      density: this.place.densityCode,
      fileNumber: frag.fileNumber,
      mediaId: this.mediaId,
      host: this.place.host,
      blockSize: this.req.blockSize,
      offset: frag.dataObject,
      mediaDate: this.mediaDate,
      devWritten: 0,
      flags: (frag.continued ? FRAGMENT_FLAG_CONTINUED : 0) | (frag.irregular ? FRAGMENT_FLAG_IRREGULAR : 0),
      expiration: this.req.expiration,
      retentionLevel: this.req.retentionLevel,
      streamOffset: this.streamOffset,
      bytes: frag.bytes,
      checksum: frag.hash.digest('hex'),
    };
    this.current = undefined;
    this.done.push(record);
    this.streamOffset += frag.bytes;
    this.nextFile = frag.fileNumber + 1;
    return record;
  }

  /** Early warning: two filemarks, no EH; the open fragment (if it has data) is finished on this cartridge. */
  private async endCartridge(): Promise<OpenbpError> {
    const h = this.place.handle;
    try {
      // Inside a fragment: two marks after its data; between fragments the previous mark is already there.
      await h.writeFilemarks(this.current ? 2 : 1);
    } catch (e) {
      return this.fail(new OpenbpError('MEDIA_WRITE_ERROR', `closing full cartridge ${this.mediaId}: ${e instanceof Error ? e.message : String(e)}`, { cause: e, media: this.mediaId }));
    }
    const frag = this.current;
    let record: FragmentRecord | undefined;
    if (frag && frag.bytes > 0) record = this.closeFragment(frag);
    this.current = undefined;
    this.full = true;
    this.firstObject = undefined;
    return new MediaFullError(this.mediaId, record);
  }

  private async fail(err: OpenbpError): Promise<OpenbpError> {
    await this.abort();
    return err;
  }
}
