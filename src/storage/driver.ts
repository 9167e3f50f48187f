// The storage driver interface: how bptm writes image fragments to, and reads them back from, a storage unit.
//
// A driver is plain: no retry, no rate limiting, no logging. Those wrap a driver and return a driver.
// Tape extends this with a TapeDriver capability (positioning, labels, spanning) in src/storage/tape/;
// nothing here is tape-specific. Every error a driver throws is an OpenbpError whose status is the
// NetBackup status the job should end with (83 open, 84 write, 85 read, 129 disk unit full, ...).

import type { FragmentRecord } from '../protocol/records.js';

/** What an image write is about: fixed for the whole image, copied into every FragmentRecord. */
export interface ImageWriteRequest {
  readonly backupid: string;
  readonly copy: number;
  /** The buffer size (SIZE_DATA_BUFFERS); blocks are at most this long and fragments end on block boundaries. */
  readonly blockSize: number;
  /** Seconds since the epoch. */
  readonly expiration: number;
  readonly retentionLevel: number;
  /** Seconds since the epoch; default: now. */
  readonly mediaDate?: number;
  /**
   * false: the caller checksums every block itself (bptm's block index), so the driver may skip the
   * whole-fragment sha256 and record checksum '' (readers skip the fragment check then). Default true.
   */
  readonly fragmentChecksum?: boolean;
  /**
   * true: the caller's blocks are usually page-aligned memory (bptm's shared ring slots), so a disk unit may write
   * whole aligned runs past the page cache (O_DIRECT) and only the rest through it. The bytes, fragments and
   * durability are the same either way. Default false.
   */
  readonly directIo?: boolean;
  /**
   * Client, policy and schedule of the image. Tape writes them into every backup header so that bpimport can
   * rebuild the catalogue from the cartridge alone; a tape image written without them imports with the policy
   * and schedule named IMPORTED.
   */
  readonly image?: ImageDescription;
}

/** Client, policy and schedule of an image (what its catalogue header needs beyond the backup ID). */
export interface ImageDescription {
  readonly client: string;
  readonly policy: string;
  readonly policyType: number;
  readonly schedLabel: string;
  /** 0 FULL, 1 INCR, 2 UBAK, 3 UARC, 4 CINC (SCHED_TYPES codes). */
  readonly schedType: number;
}

/** A range of the image's data stream, in bytes: [start, end). end = -1 means to the end of the image. */
export interface StreamRange {
  readonly start: number;
  readonly end: number;
}

/**
 * Writes one copy of one image, fragment by fragment.
 *
 * Life: write() blocks into the current fragment (opened on the first write), finishFragment() when
 * `room` says the next block does not fit or the stream ended, then the writer is simply dropped
 * (success: every fragment is durable) or abort() is called (failure: nothing of this image is left).
 *
 * A writer may also finish a fragment by itself inside write() (a tape reaching end of media finishes the
 * fragment on that cartridge and continues the image on the next one): callers learn of every finished
 * fragment through `fragments`, not only through finishFragment()'s result.
 *
 * Not re-entrant: one call at a time. None of the methods may be retried after they threw; the writer
 * is then dead and has already removed everything it wrote (as abort() would).
 */
export interface ImageWriter {
  /** Bytes of data in the fragment being written (0 when none is open). */
  readonly fragmentBytes: number;
  /**
   * Bytes the current fragment may still take before it reaches the unit's maximum fragment size
   * (a multiple of blockSize, at least one block). The caller finishes the fragment when the next
   * block is longer than `room`; fragments are never split inside a block. Infinity = no limit.
   */
  readonly room: number;
  /** Fragments finished so far, in order. */
  readonly fragments: readonly FragmentRecord[];

  /**
   * Appends a block (1..blockSize bytes) to the current fragment, opening a new one if none is open.
   * Short writes are continued until the whole block is written, so on return all of it is in the
   * fragment (not yet durable). Errors: 129 DISK_STU_FULL on ENOSPC/EDQUOT, 84 MEDIA_WRITE_ERROR on
   * anything else, 83 MEDIA_OPEN_ERROR if the fragment cannot be created. After an error, everything
   * this writer produced has been removed.
   * The block may be reused by the caller as soon as the promise resolves.
   */
  write(block: Uint8Array): Promise<void>;

  /**
   * Optional: appends several blocks in order, as write() would one after the other, with one system call
   * where the medium allows (a disk file: writev). The caller keeps them within `room` (they all go into the
   * current fragment). Same errors and reuse rule as write().
   */
  writeMany?(blocks: readonly Uint8Array[]): Promise<void>;

  /**
   * Optional, with settle(): like writeMany, but the write may go on after the promise resolves (a disk unit's
   * O_DIRECT run on the thread pool): it resolves once every earlier write is done and this one has started.
   * The blocks must stay untouched until the next call on the writer resolves. Same errors as write(); a
   * failure of the write left running comes from the next call.
   */
  startMany?(blocks: readonly Uint8Array[]): Promise<void>;
  /** Waits for the write startMany left running; throws its failure. */
  settle?(): Promise<void>;

  /**
   * Makes the current fragment durable (data synced, visible under its final name, name synced) and
   * returns its record. Throws 84/129 like write(); throws 84 when no fragment is open.
   */
  finishFragment(): Promise<FragmentRecord>;

  /**
   * Removes everything this writer produced: the fragment being written and the finished ones.
   * Idempotent; never throws for files already gone. Safe to call after any error.
   */
  abort(): Promise<void>;
}

/**
 * Reads a range of an image's data stream from its fragments, in order.
 *
 * Checksums: a fragment read from its first to its last byte is checked against its record;
 * a mismatch is 85 MEDIA_READ_ERROR, raised by the read() that reaches the fragment's end.
 */
export interface ImageReader {
  /**
   * Reads up to `length` bytes into `buf` at `offset`; resolves with the count, 0 at the end of the
   * range. A short count does not mean the end. Errors: 83 MEDIA_OPEN_ERROR (fragment missing or
   * unopenable), 85 MEDIA_READ_ERROR (read error, fragment shorter than its record, checksum
   * mismatch, a gap between fragments inside the range). Not retryable once it threw.
   */
  read(buf: Uint8Array, offset: number, length: number): Promise<number>;
  /** Releases open files. Idempotent. */
  close(): Promise<void>;
}

export interface StorageDriver {
  /** 'disk' or 'tape': what fragment records this driver writes (mediaType 0 is disk). */
  readonly kind: 'disk' | 'tape';

  /**
   * Prepares to write one image copy. Does not create any fragment yet (an empty stream leaves
   * nothing behind). Errors: 83 MEDIA_OPEN_ERROR when the unit cannot be used (path not creatable,
   * not a directory, not writable). May be retried.
   */
  openImageWriter(req: ImageWriteRequest): Promise<ImageWriter>;

  /**
   * Opens the fragments of one image copy for reading the given stream range. Only fragments that
   * overlap the range are opened; the others are not touched and need not exist. Fragments are taken
   * in streamOffset order. A missing fragment is reported as 83 by the first read() that needs it.
   * May be retried.
   */
  openImageReader(fragments: readonly FragmentRecord[], range: StreamRange): Promise<ImageReader>;

  /**
   * Removes the given fragments from the media (expiration, or the cleanup of a failed job).
   * Idempotent: a fragment already gone is not an error. Fragments of another media type are ignored.
   * May be retried.
   */
  deleteFragments(fragments: readonly FragmentRecord[]): Promise<void>;

  /**
   * Releases the devices the driver holds once the job's writer or reader is done (a tape driver puts its
   * cartridge back into its slot). Optional: drivers holding nothing omit it. Never throws.
   */
  close?(): Promise<void>;
}

/** The fragments that hold bytes of [start, end) (end -1 = to the end), sorted by stream offset. */
export function fragmentsInRange(fragments: readonly FragmentRecord[], range: StreamRange): FragmentRecord[] {
  const end = range.end < 0 ? Number.POSITIVE_INFINITY : range.end;
  return fragments
    .filter((f) => f.bytes > 0 && f.streamOffset < end && f.streamOffset + f.bytes > range.start)
    .sort((a, b) => a.streamOffset - b.streamOffset || a.fragment - b.fragment);
}

/** The unit's maximum fragment size in bytes (maxFragmentMB, MB = 2^20), rounded down to whole blocks, at least one block. */
export function maxFragmentBytes(maxFragmentMB: number, blockSize: number): number {
  if (!(maxFragmentMB > 0)) return Number.POSITIVE_INFINITY;
  const bytes = maxFragmentMB * 1024 * 1024;
  return Math.max(blockSize, Math.floor(bytes / blockSize) * blockSize);
}
