// The st-driver contract every tape implementation honours: a device, an open handle, a changer.
//
// Semantics are those of the Linux st driver on the no-rewind node (reference/tape.md §1): errors are
// TapeError with the errno st would return; counters follow st's MTIOCGET rules (-1 = unknown).
// None of these calls may be retried blindly: a failed write or space operation may have moved the tape.

import type { TapeStatus } from './tape-status.js';
import type { ChangerStatus } from './changer-status.js';

export interface TapeOpenOptions {
  /** true = /dev/stN (rewind at close); false = /dev/nstN. */
  readonly rewindOnClose: boolean;
  /** false = O_RDONLY: writes, weof and erase fail with EACCES (no WR_PROT bit). */
  readonly write: boolean;
  /** O_NONBLOCK: open succeeds without a cartridge; I/O then fails with ENOMEDIUM. */
  readonly nonBlocking?: boolean;
}

export interface TapeDevice {
  /** "/dev/nst0" or "vtl:LIB/drive0". */
  readonly name: string;
  /** One opener at a time: a second open while a handle is open fails with EBUSY. */
  open(o: TapeOpenOptions): Promise<TapeHandle>;
}

export interface TapeHandle {
  /**
   * Writes one record (variable mode) or count/blockSize records (fixed mode) at the current position;
   * the record becomes the new end of data (everything after it is gone). Returns the byte count.
   * Past early warning, alternate calls fail with ENOSPC and write nothing; beyond the physical end
   * ENOSPC, then EIO. EACCES when write-protected or opened read-only; EINVAL for a bad count.
   */
  writeBlock(b: Uint8Array): Promise<number>;
  /**
   * Reads one record (variable mode) of at most `max` bytes. Length 0 = a filemark was crossed (or
   * blank tape right after one). ENOMEM when the record is longer than `max` (the record is consumed);
   * EIO at end of data. Fixed mode: `max` must be a multiple of the block size.
   */
  readBlock(max: number): Promise<Uint8Array>;
  /** Writes n filemarks (default 1); n=0 only flushes. `immediate` = MTWEOFI. EACCES when protected. */
  writeFilemarks(n?: number, o?: { immediate?: boolean }): Promise<void>;
  /** n>0: fsf n (lands after the nth mark); n<0: bsf |n| (lands on the BOT side of the mark). EIO + residual at EOD/BOT. */
  spaceFiles(n: number): Promise<void>;
  /** n>0: fsfm n (BOT side of the nth mark); n<0: bsfm |n| (EOT side of the mark = start of the file). */
  spaceFilesM(n: number): Promise<void>;
  /** n>0: fsr n; n<0: bsr |n|. Crossing a filemark, BOT or EOD stops with EIO and TapeError.residual. */
  spaceRecords(n: number): Promise<void>;
  /** MTREW; writes a filemark first if the last operation was a write. */
  rewind(): Promise<void>;
  /** MTEOM: to end of data; file number kept (unless fast-eod), block -1. */
  seekEod(): Promise<void>;
  /** READ POSITION: SSC logical object number (records and filemarks both count). */
  tell(): Promise<number>;
  /** LOCATE to a logical object number; file/block become -1 unless objectId is 0. */
  locate(objectId: number): Promise<void>;
  /** MTSETBLK: 0 = variable mode. EINVAL outside the block limits. */
  setBlockSize(n: number): Promise<void>;
  setCompression(on: boolean): Promise<void>;
  /** Erases from the current position to the end (new EOD here); counters set to 0 as st does. */
  erase(long?: boolean): Promise<void>;
  /** MTOFFL: rewind and unload; afterwards I/O fails with ENOMEDIUM and status shows DR_OPEN. */
  unload(): Promise<void>;
  status(): Promise<TapeStatus>;
  /** Writes a filemark if the last op was a write (unless MTWEOFI); rewinds on the rewind node. */
  close(): Promise<void>;
}

export type ImportExportOp = 'open' | 'close' | 'insert' | 'remove';

/** A medium changer, numbered as mtx numbers it: storage elements from 1, drives from 0. */
export interface Changer {
  status(): Promise<ChangerStatus>;
  load(slot: number, drive: number): Promise<void>;
  /** slot defaults to the slot the cartridge came from. */
  unload(drive: number, slot?: number): Promise<void>;
  transfer(from: number, to: number): Promise<void>;
  inventory(): Promise<void>;
  importExport(op: ImportExportOp, barcode?: string): Promise<void>;
}

/** Errors of a changer carry mtx's message text verbatim (e.g. "Storage Element 3 is Already Full"). */
export class ChangerError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ChangerError';
  }
}
