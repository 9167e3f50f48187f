// One cartridge on disk (<BARCODE>.tap + <BARCODE>.json): locked session, index, crash recovery, append/truncate.

import fs from 'node:fs/promises';
import path from 'node:path';
import { densityOf, mediaIdOf, mediaKindOf, type DensityInfo, type MediaKind } from './barcode.js';
import { tryLock, type PidLock } from './pid-lock.js';
import {
  CHECKPOINT_EVERY, DEFAULT_EARLY_WARNING, readSidecar, sidecarPathOf, writeSidecar,
  type Checkpoint, type FilemarkEntry, type Sidecar,
} from './sidecar.js';
import { decodeWord, encodeMarks, encodeRecord, recordSpan, MARK_BYTES, type TapObject } from './simh-format.js';
import { TapeError } from './tape-error.js';

export interface CartridgeSpec {
  readonly barcode: string;
  readonly capacityBytes: number;
  readonly earlyWarningBytes?: number;
  readonly writeProtected?: boolean;
  readonly compression?: boolean;
  readonly density?: DensityInfo;
  readonly kind?: MediaKind;
}

/** Capacity assumed for a .tap found without a sidecar (LTO-5 native). */
export const DEFAULT_CAPACITY = 1_500_000_000_000;

export function tapPathOf(dir: string, barcode: string): string {
  return path.join(dir, `${barcode}.tap`);
}

function newSidecar(spec: CartridgeSpec): Sidecar {
  const d = spec.density ?? densityOf(spec.barcode);
  const kind = spec.kind ?? mediaKindOf(spec.barcode);
  return {
    format: 'vtape-sidecar',
    version: 1,
    barcode: spec.barcode,
    mediaId: mediaIdOf(spec.barcode),
    kind,
    density: d.density,
    densityCode: d.densityCode,
    capacityBytes: spec.capacityBytes,
    earlyWarningBytes: spec.earlyWarningBytes ?? Math.min(DEFAULT_EARLY_WARNING, Math.floor(spec.capacityBytes / 10)),
    writeProtected: spec.writeProtected ?? false,
    compression: spec.compression ?? true,
    createdAt: new Date().toISOString(),
    lastWrittenAt: null,
    loadCount: 0,
    cleaningRunsLeft: kind === 'cleaning' ? 50 : 0,
    bytesWrittenLife: 0,
    bytesReadLife: 0,
    lostStatistics: 0,
    dirty: false,
    generation: 0,
    tap: { size: 0, objects: 0, filemarks: 0, storedBytes: 0 },
    filemarkIndex: [],
    checkpoints: [],
    labelHint: null,
  };
}

/** Creates an empty cartridge (blank tape). Fails if the .tap exists. Returns the .tap path. */
export async function createCartridge(dir: string, spec: CartridgeSpec): Promise<string> {
  const tap = tapPathOf(dir, spec.barcode);
  await fs.mkdir(dir, { recursive: true });
  const fh = await fs.open(tap, 'wx', 0o644);
  await fh.close();
  await writeSidecar(sidecarPathOf(tap), newSidecar(spec));
  return tap;
}

/** Count of elements whose key is <= v in an array sorted by key. */
function countAtMost<T>(arr: readonly T[], key: (x: T) => number, v: number): number {
  let lo = 0;
  let hi = arr.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (key(arr[mid]!) <= v) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

function printable(b: Uint8Array): string {
  return Array.from(b, (c) => (c >= 0x20 && c < 0x7f ? String.fromCharCode(c) : '.')).join('');
}

export interface Position {
  readonly objectId: number;
  readonly byteOffset: number;
}

export class Cartridge {
  /** True when this open found an unclean sidecar or a size mismatch and rebuilt the index. */
  recovered = false;
  /** Bytes of a torn trailing record dropped by the recovery. */
  droppedBytes = 0;
  private session = { read: 0, written: 0, mutated: false };

  private constructor(
    readonly tapPath: string,
    private readonly fh: fs.FileHandle,
    readonly sc: Sidecar,
    private readonly lock: PidLock,
  ) {}

  /** Opens a session on the cartridge: exclusive (EBUSY otherwise), recovering from a crash if needed. */
  static async open(tapPath: string): Promise<Cartridge> {
    const lock = await tryLock(`${tapPath}.lock`);
    if (!lock) throw new TapeError('EBUSY', `${path.basename(tapPath)} is in use`);
    let fh: fs.FileHandle | undefined;
    try {
      fh = await fs.open(tapPath, 'r+').catch(async (e: NodeJS.ErrnoException) => {
        if (e.code === 'EACCES' || e.code === 'EROFS') return fs.open(tapPath, 'r');
        if (e.code === 'ENOENT') throw new TapeError('ENOMEDIUM', `${tapPath} does not exist`);
        throw e;
      });
      const found = await readSidecar(sidecarPathOf(tapPath));
      const sc = found ?? newSidecar({ barcode: path.basename(tapPath, '.tap'), capacityBytes: DEFAULT_CAPACITY });
      const c = new Cartridge(tapPath, fh, sc, lock);
      const size = (await fh.stat()).size;
      if (!found || sc.dirty || sc.tap.size !== size) await c.recover(size, found !== null);
      return c;
    } catch (e) {
      await fh?.close().catch(() => {});
      await lock.release();
      throw e;
    }
  }

  get size(): number {
    return this.sc.tap.size;
  }
  get objects(): number {
    return this.sc.tap.objects;
  }
  get filemarks(): readonly FilemarkEntry[] {
    return this.sc.filemarkIndex;
  }
  get capacity(): number {
    return this.sc.capacityBytes;
  }
  get earlyWarningAt(): number {
    return Math.max(0, this.sc.capacityBytes - this.sc.earlyWarningBytes);
  }

  /** Number of filemarks before object `objectId` (= its file number). */
  fileNoAt(objectId: number): number {
    return countAtMost(this.sc.filemarkIndex, (f) => f.objectId, objectId - 1);
  }

  /** Index into filemarkIndex of the first filemark at or after `objectId`. */
  firstMarkAtOrAfter(objectId: number): number {
    return countAtMost(this.sc.filemarkIndex, (f) => f.objectId, objectId - 1);
  }

  private async readExact(buf: Buffer, off: number): Promise<number> {
    let got = 0;
    while (got < buf.length) {
      const { bytesRead } = await this.fh.read(buf, got, buf.length - got, off + got);
      if (bytesRead === 0) break;
      got += bytesRead;
    }
    return got;
  }

  private async wordAt(off: number): Promise<number | null> {
    const b = Buffer.alloc(4);
    return (await this.readExact(b, off)) === 4 ? b.readUInt32LE(0) : null;
  }

  /** The object starting at `off`; null at end of data. */
  async objectAt(off: number): Promise<TapObject | null> {
    if (off >= this.size) return null;
    const w = await this.wordAt(off);
    if (w === null) return null;
    return decodeWord(w);
  }

  /** Data of the record starting at `off` (length from its header). */
  async recordData(off: number, length: number): Promise<Buffer> {
    const b = Buffer.alloc(length);
    if ((await this.readExact(b, off + 4)) !== length) throw new TapeError('EIO', 'short read from cartridge file');
    this.session.read += length;
    return b;
  }

  /** The object ending at `off` (found through the SIMH trailing length). */
  async objectBefore(off: number): Promise<{ start: number; obj: TapObject }> {
    const w = await this.wordAt(off - 4);
    if (w === null) throw new TapeError('EIO', 'cannot read trailing length');
    const obj = decodeWord(w);
    if (obj.kind === 'mark') return { start: off - MARK_BYTES, obj };
    if (obj.kind === 'record') return { start: off - recordSpan(obj.length), obj };
    throw new TapeError('EIO', `invalid SIMH length word 0x${w.toString(16)} before offset ${off}`);
  }

  /** Byte offset of logical object `objectId`, from the index plus a short forward walk. */
  async offsetOf(objectId: number, hint?: Position): Promise<number> {
    if (objectId >= this.objects) return this.size;
    if (objectId <= 0) return 0;
    let best: Position = { objectId: 0, byteOffset: 0 };
    const consider = (p: Position | undefined) => {
      if (p && p.objectId <= objectId && p.objectId > best.objectId) best = p;
    };
    consider(hint);
    const cps = this.sc.checkpoints;
    const ci = countAtMost(cps, (c) => c.objectId, objectId);
    if (ci > 0) consider(cps[ci - 1]);
    const fms = this.sc.filemarkIndex;
    const fi = countAtMost(fms, (f) => f.objectId, objectId);
    if (fi > 0) {
      const f = fms[fi - 1]!;
      if (f.objectId === objectId) return f.byteOffset;
      consider({ objectId: f.objectId + 1, byteOffset: f.byteOffset + MARK_BYTES });
    }
    let { objectId: id, byteOffset: off } = best;
    while (id < objectId) {
      const o = await this.objectAt(off);
      if (!o || o.kind === 'invalid') throw new TapeError('EIO', `bad object at offset ${off}`);
      off += o.kind === 'mark' ? MARK_BYTES : recordSpan(o.length);
      id++;
    }
    return off;
  }

  private noteAppended(kind: 'mark' | 'record', start: number) {
    const t = this.sc.tap;
    if (kind === 'mark') this.sc.filemarkIndex.push({ objectId: t.objects, byteOffset: start });
    t.objects++;
    if (t.objects % CHECKPOINT_EVERY === 0) {
      this.sc.checkpoints.push({ objectId: t.objects, byteOffset: t.size, fileNo: this.sc.filemarkIndex.length });
    }
    t.filemarks = this.sc.filemarkIndex.length;
    t.storedBytes = t.size;
  }

  /** Marks the sidecar dirty (persisted) before the first change of a session. */
  async beginMutation(): Promise<void> {
    if (this.sc.dirty) return;
    this.sc.dirty = true;
    this.sc.generation++;
    this.session.mutated = true;
    await this.persist();
  }

  /** New end of data at (objectId, byteOffset): the index is trimmed and persisted before the file shrinks. */
  async truncateAt(objectId: number, byteOffset: number): Promise<void> {
    if (objectId >= this.objects) return;
    await this.beginMutation();
    const sc = this.sc;
    sc.filemarkIndex = sc.filemarkIndex.filter((f) => f.objectId < objectId);
    sc.checkpoints = sc.checkpoints.filter((c) => c.objectId <= objectId);
    sc.tap = { size: byteOffset, objects: objectId, filemarks: sc.filemarkIndex.length, storedBytes: byteOffset };
    if (objectId === 0) sc.labelHint = null;
    await this.persist();
    await this.fh.truncate(byteOffset);
  }

  async appendRecord(data: Uint8Array, o: { sync?: boolean; torn?: boolean; error?: boolean } = {}): Promise<void> {
    await this.beginMutation();
    const buf = encodeRecord(data, { error: o.error === true });
    const start = this.size;
    const len = o.torn ? 4 + Math.floor(data.length / 2) : buf.length;
    const { bytesWritten } = await this.fh.write(buf, 0, len, start);
    if (o.torn) return;
    if (bytesWritten !== buf.length) {
      await this.fh.truncate(start);
      throw new TapeError('EIO', 'short write to cartridge file');
    }
    if (this.objects === 0) this.sc.labelHint = printable(data.subarray(0, 80));
    this.sc.tap.size += buf.length;
    this.noteAppended('record', start);
    this.session.written += data.length;
    if (o.sync) await this.fh.sync();
  }

  async appendMarks(n: number): Promise<void> {
    await this.beginMutation();
    const start = this.size;
    const { bytesWritten } = await this.fh.write(encodeMarks(n), 0, n * MARK_BYTES, start);
    if (bytesWritten !== n * MARK_BYTES) {
      await this.fh.truncate(start);
      throw new TapeError('EIO', 'short write to cartridge file');
    }
    for (let i = 0; i < n; i++) {
      this.sc.tap.size += MARK_BYTES;
      this.noteAppended('mark', start + i * MARK_BYTES);
    }
  }

  /** fsync the .tap and persist the index (the sidecar stays dirty until close). */
  async sync(): Promise<void> {
    await this.fh.sync();
    await this.persist();
  }

  private async persist(): Promise<void> {
    await writeSidecar(sidecarPathOf(this.tapPath), this.sc);
  }

  /** Ends the session cleanly: fsync, statistics, sidecar with dirty=false, lock released. */
  async close(): Promise<void> {
    try {
      const s = this.session;
      if (s.mutated || s.read > 0 || s.written > 0 || this.sc.dirty) {
        if (s.mutated || s.written > 0) {
          await this.fh.sync();
          this.sc.lastWrittenAt = new Date().toISOString();
        }
        this.sc.bytesReadLife += s.read;
        this.sc.bytesWrittenLife += s.written;
        this.sc.dirty = false;
        this.session = { read: 0, written: 0, mutated: false };
        await this.persist();
      }
    } finally {
      await this.fh.close().catch(() => {});
      await this.lock.release();
    }
  }

  /** Applies a metadata change (write protection, load count) and persists it. */
  async update(change: (sc: Sidecar) => void): Promise<void> {
    change(this.sc);
    await this.persist();
  }

  /**
   * Rebuilds the index from the last trustworthy anchor (checkpoint or filemark inside the file),
   * truncating a torn trailing object. Nothing before the torn object is lost.
   */
  private async recover(realSize: number, hadSidecar: boolean): Promise<void> {
    const sc = this.sc;
    this.recovered = true;
    const fms = sc.filemarkIndex.filter((f) => f.byteOffset + MARK_BYTES <= realSize);
    const cps = sc.checkpoints.filter((c) => c.byteOffset <= realSize);
    let anchor: Checkpoint = { objectId: 0, byteOffset: 0, fileNo: 0 };
    const last = cps[cps.length - 1];
    if (last && last.byteOffset > anchor.byteOffset) anchor = last;
    const lastFm = fms[fms.length - 1];
    if (lastFm && lastFm.byteOffset + MARK_BYTES > anchor.byteOffset) {
      anchor = { objectId: lastFm.objectId + 1, byteOffset: lastFm.byteOffset + MARK_BYTES, fileNo: fms.length };
    }
    sc.filemarkIndex = fms.filter((f) => f.objectId < anchor.objectId);
    sc.checkpoints = cps.filter((c) => c.objectId <= anchor.objectId);
    sc.tap = { size: anchor.byteOffset, objects: anchor.objectId, filemarks: sc.filemarkIndex.length, storedBytes: anchor.byteOffset };
    let off = anchor.byteOffset;
    let torn = false;
    while (off < realSize) {
      if (realSize - off < 4) { torn = true; break; }
      const w = (await this.wordAt(off))!;
      const o = decodeWord(w);
      if (o.kind === 'mark') {
        sc.tap.size = off + MARK_BYTES;
        this.noteAppended('mark', off);
        off += MARK_BYTES;
        continue;
      }
      if (o.kind === 'invalid') { torn = true; break; }
      const span = recordSpan(o.length);
      if (off + span > realSize || (await this.wordAt(off + span - 4)) !== w) { torn = true; break; }
      if (off === 0) {
        const head = Buffer.alloc(Math.min(80, o.length));
        await this.readExact(head, 4);
        sc.labelHint = printable(head);
      }
      sc.tap.size = off + span;
      this.noteAppended('record', off);
      off += span;
    }
    if (torn) {
      this.droppedBytes = realSize - off;
      await this.fh.truncate(off);
    }
    if (sc.tap.objects === 0) sc.labelHint = null;
    if (hadSidecar) sc.lostStatistics++;
    sc.dirty = false;
    await this.fh.sync();
    await this.persist();
  }
}
