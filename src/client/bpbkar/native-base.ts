// An incremental's base held by the addon: the walk's listings come matched with it (in C, on the listing thread), and
// the records of unchanged files go from it into the .f block in C, so an unchanged file costs the JS thread nothing.

import { bytePathToBuffer } from '../../protocol/byte-path.js';
import { sys } from '../../native/sys.js';
import { BLOCK_TARGET, BlockEncoder, TYPES, type FilesEntryInput } from '../../formats/files-file.js';
import { readBaseFiles, type BaseFiles } from './base-files.js';

/**
 * Bases of more records than this are read alongside the walk in TypeScript (a block at a time) instead: the addon
 * holds about 100 bytes a record, and bpbkar stays under 150 MB with a million.
 */
export const NATIVE_BASE_MAX_RECORDS = 1_000_000;

export class NativeBase {
  private readonly times = new Float64Array(2);
  private readonly one = new Int32Array(1);

  private constructor(readonly records: number) {}

  /**
   * The base .f loaded into the addon, or undefined when it is not (no .f, an older NDJSON list, one this reader does
   * not know, or more than maxRecords records): the caller then reads it with readBaseFiles, which reports what is
   * wrong with it.
   */
  static load(file: string, maxRecords = NATIVE_BASE_MAX_RECORDS): NativeBase | undefined {
    try {
      return new NativeBase(sys().loadBase(bytePathToBuffer(file), maxRecords));
    } catch {
      return undefined;
    }
  }

  /**
   * Appends the record of a file the walk lstat'ed by its path (a selection that is a file) to `block` when the base
   * holds it in the same version; false when it does not (the file is written).
   */
  recordIfUnchanged(abs: string, block: RecordBlock): boolean {
    const k = sys().matchBase(bytePathToBuffer(abs), this.times);
    if (k < 0) return false;
    this.one[0] = k;
    block.addBase(this.one, this.times, 0, 1);
    return true;
  }

  close(): void {
    sys().dropBase();
  }
}

/** An incremental's base file: held by the addon when it can be (NativeBase.load), else read in TypeScript. */
export async function openBase(file: string): Promise<NativeBase | BaseFiles> {
  return NativeBase.load(file) ?? (await readBaseFiles(file));
}

/** The records of a backup not reported yet, as one .f block payload being encoded. */
export interface RecordBlock {
  add(e: FilesEntryInput): void;
  /**
   * Appends the base records base[from..to) as unchanged files (see sys().encodeBase) until the block reaches
   * BLOCK_TARGET bytes; returns how many it appended. Only where a NativeBase is loaded.
   */
  addBase(base: Int32Array, times: Float64Array, from: number, to: number): number;
  readonly count: number;
  readonly length: number;
  /** The payload (a Buffer of its own); the next block starts empty. */
  take(): Buffer;
}

/** The block encoded in TypeScript (a full backup, or a base only readBaseFiles reads). */
export class ScriptBlock implements RecordBlock {
  private readonly enc = new BlockEncoder();
  add(e: FilesEntryInput): void {
    this.enc.add(e);
  }
  addBase(): number {
    throw new Error('no base is loaded into the addon');
  }
  get count(): number {
    return this.enc.count;
  }
  get length(): number {
    return this.enc.sink.len;
  }
  take(): Buffer {
    const block = Buffer.from(this.enc.sink.take());
    this.enc.reset();
    return block;
  }
}

/** The block encoded by the addon, where the base's records of unchanged files are added without passing through JS. */
export class NativeBlock implements RecordBlock {
  count = 0;
  length = 0;
  add(e: FilesEntryInput): void {
    const t = TYPES.indexOf(e.type);
    if (t < 0) throw new Error(`unknown file type '${e.type}' for ${e.path}`);
    this.length = sys().encodeRecord(e.path, t, e.inImage ?? 1, e.mode, e.uid, e.gid, e.user, e.group, e.size, e.mtimeNs, e.ctime, e.atime, e.ino, e.dev, e.offset, e.link);
    this.count++;
  }
  addBase(base: Int32Array, times: Float64Array, from: number, to: number): number {
    const n = sys().encodeBase(base, times, from, to, BLOCK_TARGET);
    this.count += n;
    this.length = sys().encodedLength();
    return n;
  }
  take(): Buffer {
    const block = sys().encodedBlock();
    this.count = 0;
    this.length = 0;
    return block;
  }
}
