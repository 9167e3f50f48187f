// An open emulated drive: the st read/write/space state machine of reference/tape.md §1.3-1.5, over a Cartridge.

import type { Cartridge } from './cartridge.js';
import { recordSpan, MARK_BYTES } from './simh-format.js';
import { atBot, eofAtLeast, gstatOf, NO_TAPE_GSTAT } from './st-state.js';
import type { TapeHandle, TapeOpenOptions } from './tape-device.js';
import { TapeError } from './tape-error.js';
import { makeTapeStatus, type TapeStatus } from './tape-status.js';
import type { VirtualDrive } from './virtual-drive.js';

export class VirtualHandle implements TapeHandle {
  private closed = false;
  private writes = 0;

  constructor(
    private readonly drive: VirtualDrive,
    private readonly o: TapeOpenOptions,
    private cart: Cartridge | null,
  ) {}

  private get s() {
    return this.drive.state;
  }

  /** The loaded cartridge, or ENOMEDIUM. Opens the session lazily (O_NONBLOCK open, then a load). */
  private async medium(): Promise<Cartridge> {
    if (this.closed) throw new TapeError('EINVAL', 'handle is closed');
    if (!this.drive.isOnline) {
      if (this.cart) {
        await this.cart.close();
        this.cart = null;
      }
      throw new TapeError('ENOMEDIUM', `no cartridge in ${this.drive.name}`);
    }
    if (!this.cart || this.cart.tapPath !== this.drive.cartridgePath) this.cart = await this.drive.openSession();
    return this.cart;
  }

  private checkWritable(c: Cartridge): void {
    if (!this.o.write) throw new TapeError('EACCES', 'device opened read-only');
    if (c.sc.writeProtected) throw new TapeError('EACCES', 'cartridge is write-protected');
    if (c.sc.kind === 'cleaning') throw new TapeError('EIO', 'cleaning cartridge');
  }

  /** Writing anywhere makes that point the new end of data (WORM media refuse to overwrite). */
  private async truncateHere(c: Cartridge): Promise<void> {
    if (this.s.pos >= c.objects) return;
    if (c.sc.kind === 'worm') throw new TapeError('EIO', 'WORM cartridge: overwrite refused');
    await c.truncateAt(this.s.pos, this.s.off);
  }

  private async appendMarks(c: Cartridge, n: number): Promise<void> {
    await this.truncateHere(c);
    await c.appendMarks(n);
    const s = this.s;
    s.pos += n;
    s.off += n * MARK_BYTES;
    if (s.file >= 0) s.file += n;
    s.blk = 0;
  }

  /** st: rewind, offline, bsf, bsfm and seek after a write first write one filemark. */
  private async markAfterWrite(c: Cartridge): Promise<boolean> {
    if (this.s.rw !== 'writing') return false;
    await this.appendMarks(c, 1);
    await c.sync();
    this.s.rw = 'idle';
    return true;
  }

  async writeBlock(b: Uint8Array): Promise<number> {
    const c = await this.medium();
    const s = this.s;
    this.checkWritable(c);
    if (b.length === 0) return 0;
    const { min, max } = this.drive.blockLimits;
    if (s.blockSize === 0 && (b.length < min || b.length > max)) throw new TapeError('EINVAL', `record size ${b.length} outside ${min}..${max}`);
    if (s.blockSize > 0 && b.length % s.blockSize !== 0) throw new TapeError('EINVAL', 'Write not multiple of tape block size');
    if (s.eof === 'EOM_OK') {
      s.eof = 'EOD_1'; // st: the next write is allowed, this one reports early warning
      throw new TapeError('ENOSPC', 'early warning');
    }
    if (s.eof === 'EOM_ERROR') throw new TapeError('EIO', 'past end of medium');
    const n = ++this.writes;
    const faults = this.drive.options.faults ?? {};
    await this.truncateHere(c);
    if (n === faults.tornWriteAt) {
      await c.appendRecord(b, { torn: true });
      return new Promise<number>(() => {}); // the writer "dies" here
    }
    const size = s.blockSize || b.length;
    let written = 0;
    for (let at = 0; at < b.length; at += size) {
      const rec = b.subarray(at, at + size);
      if (c.size + recordSpan(rec.length) > c.capacity) {
        s.eof = 'EOM_ERROR';
        if (written === 0) throw new TapeError('ENOSPC', 'end of medium');
        break;
      }
      await c.appendRecord(rec, { sync: this.drive.options.syncEveryBlock === true, error: n === faults.badRecordAt });
      s.pos++;
      s.off = c.size;
      if (s.blk >= 0) s.blk++;
      written += rec.length;
    }
    s.rw = 'writing';
    if (s.eof !== 'EOM_ERROR') s.eof = c.size >= c.earlyWarningAt ? 'EOM_OK' : 'NOEOF';
    return written;
  }

  async readBlock(max: number): Promise<Uint8Array> {
    const c = await this.medium();
    const s = this.s;
    const { min, max: limit } = this.drive.blockLimits;
    if (s.blockSize === 0 && (max < min || max > limit)) throw new TapeError('EINVAL', `read count ${max} outside ${min}..${limit}`);
    if (s.blockSize > 0 && (max < s.blockSize || max % s.blockSize !== 0)) throw new TapeError('EINVAL', 'Read not multiple of tape block size');
    if (s.rw === 'writing') s.eof = 'NOEOF';
    s.rw = 'reading';
    const parts: Buffer[] = [];
    let total = 0;
    for (;;) {
      if (s.eof === 'EOD_2' || s.eof === 'EOD') {
        s.eof = 'EOD';
        throw new TapeError('EIO', 'end of data');
      }
      const obj = await c.objectAt(s.off);
      if (obj === null) {
        if (total > 0) break;
        if (s.eof === 'FM') {
          s.eof = 'EOD_2'; // "Zero returned for first BLANK CHECK after EOF"
          return new Uint8Array(0);
        }
        s.eof = 'EOD';
        throw new TapeError('EIO', 'end of data');
      }
      if (obj.kind === 'invalid') throw new TapeError('EIO', `corrupt object at offset ${s.off}`);
      if (obj.kind === 'mark') {
        if (total > 0) break; // reported by the next read
        s.pos++;
        s.off += MARK_BYTES;
        if (s.file >= 0) s.file++;
        s.blk = 0;
        s.eof = 'FM';
        return new Uint8Array(0);
      }
      if (s.blockSize > 0 && obj.length !== s.blockSize) {
        if (total > 0) break;
        throw new TapeError('EIO', 'Incorrect block size');
      }
      const start = s.off;
      s.pos++;
      s.off += recordSpan(obj.length);
      if (s.blk >= 0) s.blk++;
      s.eof = 'NOEOF';
      if (obj.error) throw new TapeError('EIO', 'record has error');
      if (s.blockSize === 0 && obj.length > max) throw new TapeError('ENOMEM', `Failed to read ${obj.length} byte block with ${max} byte transfer`);
      parts.push(await c.recordData(start, obj.length));
      total += obj.length;
      if (s.blockSize === 0 || total >= max) break;
    }
    return parts.length === 1 ? parts[0]! : Buffer.concat(parts);
  }

  async writeFilemarks(n = 1, o: { immediate?: boolean } = {}): Promise<void> {
    const c = await this.medium();
    this.checkWritable(c);
    if (!Number.isInteger(n) || n < 0) throw new TapeError('EINVAL', `filemark count ${n}`);
    if (n > 0) {
      await this.appendMarks(c, n);
      this.s.eof = 'NOEOF';
      this.s.rw = 'idle';
    }
    if (!o.immediate) await c.sync();
  }

  async spaceFiles(n: number): Promise<void> {
    const c = await this.medium();
    const s = this.s;
    if (!Number.isInteger(n)) throw new TapeError('EINVAL', `count ${n}`);
    if (n === 0) return;
    if (n > 0) {
      if (s.rw === 'writing') s.rw = 'idle';
      const fms = c.filemarks;
      const i = c.firstMarkAtOrAfter(s.pos);
      const target = i + n - 1;
      s.rw = 'idle';
      if (target < fms.length) {
        const f = fms[target]!;
        s.pos = f.objectId + 1;
        s.off = f.byteOffset + MARK_BYTES;
        if (s.file >= 0) s.file += n;
        s.blk = 0;
        s.eof = 'FM';
        return;
      }
      const crossed = fms.length - i;
      s.pos = c.objects;
      s.off = c.size;
      if (s.file >= 0) s.file += crossed;
      s.blk = -1;
      s.eof = 'EOD';
      throw new TapeError('EIO', 'end of data while spacing files', n - crossed);
    }
    let m = -n;
    if (await this.markAfterWrite(c)) m++;
    const before = c.firstMarkAtOrAfter(s.pos);
    const target = before - m;
    s.rw = 'idle';
    s.eof = 'NOEOF';
    if (target >= 0) {
      const f = c.filemarks[target]!;
      s.pos = f.objectId;
      s.off = f.byteOffset;
      if (s.file >= 0) s.file = Math.max(0, s.file - m);
      s.blk = -1;
      return;
    }
    atBot(s);
    throw new TapeError('EIO', 'beginning of tape while spacing files', m - before);
  }

  async spaceFilesM(n: number): Promise<void> {
    if (n === 0) return;
    if (n > 0) {
      await this.spaceFiles(n);
      await this.spaceFiles(-1);
    } else {
      await this.spaceFiles(n);
      await this.spaceFiles(1);
    }
  }

  async spaceRecords(n: number): Promise<void> {
    const c = await this.medium();
    const s = this.s;
    if (!Number.isInteger(n)) throw new TapeError('EINVAL', `count ${n}`);
    if (n === 0) return;
    s.rw = 'idle';
    if (n > 0) {
      for (let i = 0; i < n; i++) {
        const obj = await c.objectAt(s.off);
        if (obj === null) {
          s.eof = 'EOD';
          throw new TapeError('EIO', 'end of data while spacing records', n - i);
        }
        if (obj.kind === 'invalid') throw new TapeError('EIO', `corrupt object at offset ${s.off}`, n - i);
        s.pos++;
        if (obj.kind === 'mark') {
          s.off += MARK_BYTES;
          if (s.file >= 0) s.file++;
          s.blk = 0;
          s.eof = 'FM';
          throw new TapeError('EIO', 'filemark while spacing records', n - i);
        }
        s.off += recordSpan(obj.length);
        if (s.blk >= 0) s.blk++;
      }
      s.eof = 'NOEOF';
      return;
    }
    if (this.drive.options.canBsr === false) throw new TapeError('EIO', 'drive cannot backspace records');
    const m = -n;
    s.eof = 'NOEOF';
    for (let i = 0; i < m; i++) {
      if (s.off === 0) {
        atBot(s);
        throw new TapeError('EIO', 'beginning of tape while spacing records', m - i);
      }
      const { start, obj } = await c.objectBefore(s.off);
      s.pos--;
      s.off = start;
      if (obj.kind === 'mark') {
        if (s.file > 0) s.file--;
        s.blk = -1;
        throw new TapeError('EIO', 'filemark while spacing records', m - i);
      }
      if (s.blk > 0) s.blk--;
      else s.blk = -1;
    }
  }

  async rewind(): Promise<void> {
    const c = await this.medium();
    await this.markAfterWrite(c);
    atBot(this.s);
  }

  async seekEod(): Promise<void> {
    const c = await this.medium();
    const s = this.s;
    const crossed = c.filemarks.length - c.firstMarkAtOrAfter(s.pos);
    s.pos = c.objects;
    s.off = c.size;
    s.file = this.drive.options.fastEod || s.file < 0 ? -1 : s.file + crossed;
    s.blk = -1;
    s.eof = 'EOD';
    s.rw = 'idle';
  }

  async tell(): Promise<number> {
    await this.medium();
    return this.s.pos;
  }

  async locate(objectId: number): Promise<void> {
    const c = await this.medium();
    const s = this.s;
    if (!Number.isInteger(objectId) || objectId < 0) throw new TapeError('EINVAL', `object ${objectId}`);
    await this.markAfterWrite(c);
    s.rw = 'idle';
    if (objectId > c.objects) {
      s.pos = c.objects;
      s.off = c.size;
      s.file = -1;
      s.blk = -1;
      s.eof = 'EOD';
      throw new TapeError('EIO', `object ${objectId} is beyond end of data`);
    }
    s.off = await c.offsetOf(objectId, { objectId: s.pos, byteOffset: s.off });
    s.pos = objectId;
    s.file = objectId === 0 ? 0 : -1;
    s.blk = objectId === 0 ? 0 : -1;
    s.eof = 'NOEOF';
  }

  async setBlockSize(n: number): Promise<void> {
    if (this.closed) throw new TapeError('EINVAL', 'handle is closed');
    const { min, max } = this.drive.blockLimits;
    if (!Number.isInteger(n) || n < 0 || (n > 0 && (n < min || n > max))) throw new TapeError('EINVAL', `block size ${n}`);
    this.s.blockSize = n;
  }

  async setCompression(on: boolean): Promise<void> {
    await this.medium();
    this.s.compression = on;
  }

  async erase(_long = false): Promise<void> {
    const c = await this.medium();
    this.checkWritable(c);
    await this.truncateHere(c);
    await c.sync();
    const s = this.s;
    s.file = 0;
    s.blk = 0;
    s.eof = 'NOEOF';
    s.rw = 'idle';
  }

  async unload(): Promise<void> {
    const c = await this.medium();
    await this.markAfterWrite(c);
    await c.close();
    this.cart = null;
    this.drive.goOffline();
  }

  async status(): Promise<TapeStatus> {
    if (this.closed) throw new TapeError('EINVAL', 'handle is closed');
    const s = this.s;
    if (!this.drive.isOnline) {
      return makeTapeStatus({ fileNumber: -1, blockNumber: -1, blockSize: s.blockSize, densityCode: 0, gstat: NO_TAPE_GSTAT });
    }
    const c = await this.medium();
    return makeTapeStatus({
      fileNumber: s.file,
      blockNumber: s.blk,
      blockSize: s.blockSize,
      densityCode: c.sc.densityCode,
      gstat: gstatOf(s, c.sc.writeProtected),
    });
  }

  async close(): Promise<void> {
    if (this.closed) return;
    const s = this.s;
    let generation: number | null = null;
    try {
      const c = this.cart;
      if (c && this.drive.isOnline) {
        if (s.rw === 'writing') {
          const two = this.drive.options.twoFilemarksOnClose === true;
          await this.truncateHere(c);
          await c.appendMarks(two ? 2 : 1);
          s.pos++;
          s.off += MARK_BYTES;
          if (s.file >= 0) s.file++;
          s.blk = 0;
          s.eof = 'FM';
        } else if (s.rw === 'reading' && this.drive.options.sysv && !this.o.rewindOnClose && s.eof !== 'FM' && !eofAtLeast(s.eof, 'EOD_1')) {
          await this.spaceFiles(1).catch(() => {});
        }
        s.rw = 'idle';
        if (this.o.rewindOnClose) atBot(s);
      }
      if (c) {
        await c.close();
        generation = c.sc.generation;
      }
    } finally {
      this.closed = true;
      this.cart = null;
      this.drive.released(generation);
    }
  }
}
