// A real Linux st drive (/dev/nstN): data through read()/write() on the fd, control through the st ioctls
// (MTIOCTOP, MTIOCGET, MTIOCPOS, via the native addon) on that same fd; `mt` is the fallback when the addon is
// missing or its ioctls are refused (ENOTTY).
//
// UNTESTED WITHOUT HARDWARE. The conformance suite runs against it only when OPENBP_TEST_TAPE names a device.
//
// Limits of the `mt` fallback (reference/tape.md §5b):
// - Every control operation closes the fd, runs `mt -f DEV op`, and reopens. st writes a filemark when a
//   device is closed after a write, so: writeFilemarks(n) right after data writes n marks in total (the
//   close writes the first one); writeFilemarks(0) after data cannot flush without a mark and is a no-op
//   (st writes synchronously in variable mode anyway); spaceRecords/tell/locate/status/setBlockSize directly
//   after a write also leave a filemark behind and are refused with EINVAL (write a filemark first).
// - Between close and reopen another process may grab the drive (the reopen then fails with EBUSY).
// - `mt` failures carry no residual count; TapeError.residual is undefined.
// - Works with mt-st's `mt` (the Linux default); GNU cpio's `mt` prints a different status.

import fs from 'node:fs/promises';
import { constants } from 'node:fs';
import { runCommand, type CommandRunner } from './command-runner.js';
import type { TapeDevice, TapeHandle, TapeOpenOptions } from './tape-device.js';
import { errnoFromText, TapeError, toTapeError } from './tape-error.js';
import { makeTapeStatus, parseMtStatus, type TapeStatus } from './tape-status.js';
import { sys, type OpenbpSys } from '../../native/sys.js';

export interface StDriveOptions {
  /** `mt` binary (default "mt"). */
  readonly mt?: string;
  readonly run?: CommandRunner;
  /** 'ioctl' (default: the st ioctls through the native addon, `mt` when they are unavailable) or 'mt' only. */
  readonly control?: 'ioctl' | 'mt';
}

/** MTIOCTOP operation numbers (linux/mtio.h). */
export const MT_OP = {
  FSF: 1, BSF: 2, FSR: 3, BSR: 4, WEOF: 5, REW: 6, OFFL: 7, BSFM: 10, FSFM: 11, EOM: 12, ERASE: 13,
  SETBLK: 20, SEEK: 22, COMPRESSION: 32, WEOFI: 35,
} as const;

/** The addon when it is built and the device answers MTIOCGET; null = use `mt`. */
function ioctlsFor(fd: number): OpenbpSys | null {
  try {
    const s = sys();
    s.mtGet(fd);
    return s;
  } catch {
    return null;
  }
}

export class StDrive implements TapeDevice {
  private opened = false;

  /** `path` is the no-rewind node (/dev/nstN); the rewind node is derived for rewindOnClose. */
  constructor(
    readonly name: string,
    private readonly o: StDriveOptions = {},
  ) {}

  async open(o: TapeOpenOptions): Promise<TapeHandle> {
    if (this.opened) throw new TapeError('EBUSY', `${this.name} is already open`);
    const h = new StHandle(this.name, o, this.o.mt ?? 'mt', this.o.run ?? runCommand, () => {
      this.opened = false;
    });
    await h.reopen();
    if (this.o.control !== 'mt') h.useIoctls();
    this.opened = true;
    return h;
  }
}

class StHandle implements TapeHandle {
  private fh: fs.FileHandle | null = null;
  private lastWasWrite = false;
  private closed = false;
  private native: OpenbpSys | null = null;

  constructor(
    private readonly dev: string,
    private readonly o: TapeOpenOptions,
    private readonly mt: string,
    private readonly run: CommandRunner,
    private readonly onClose: () => void,
  ) {}

  /** (Re)opens the no-rewind node with O_NONBLOCK, read-only or read-write. */
  async reopen(): Promise<void> {
    const flags = (this.o.write ? constants.O_RDWR : constants.O_RDONLY) | constants.O_NONBLOCK;
    try {
      this.fh = await fs.open(this.dev, flags);
    } catch (e) {
      throw toTapeError(e, this.dev);
    }
  }

  /** Switches control to the ioctls on the open fd when the addon and the device support them. */
  useIoctls(): void {
    if (this.fh) this.native = ioctlsFor(this.fh.fd);
  }

  /** MTIOCTOP on the fd; an early stop (EIO at a filemark, BOT or EOD) carries MTIOCGET's residual count. */
  private async ioctl(op: number, count: number, what: string): Promise<void> {
    const fd = this.fd().fd;
    try {
      await this.native!.mtOp(fd, op, count);
    } catch (e) {
      const err = toTapeError(e, `${this.dev}: ${what}`);
      if (err instanceof TapeError && err.errno === 'EIO') {
        let resid: number | undefined;
        try {
          resid = this.native!.mtGet(fd).resid;
        } catch {
          resid = undefined;
        }
        throw new TapeError('EIO', `${this.dev}: ${what}`, resid);
      }
      throw err;
    } finally {
      this.lastWasWrite = false;
    }
  }

  private fd(): fs.FileHandle {
    if (this.closed || !this.fh) throw new TapeError('EINVAL', 'handle is closed');
    return this.fh;
  }

  /** Closes the fd (st writes a filemark if the last op was a write), runs `mt`, reopens. */
  private async mtOp(args: string[], o: { refuseAfterWrite?: boolean } = {}): Promise<string> {
    this.fd();
    if (o.refuseAfterWrite && this.lastWasWrite) {
      throw new TapeError('EINVAL', `'mt ${args[0]}' right after a write would leave a filemark (mt fallback); write a filemark first`);
    }
    await this.fh!.close();
    this.fh = null;
    this.lastWasWrite = false;
    let out;
    try {
      out = await this.run(this.mt, ['-f', this.dev, ...args]);
    } finally {
      await this.reopen();
    }
    if (out.code !== 0) {
      const errno = errnoFromText(out.stderr) ?? 'EIO';
      throw new TapeError(errno, `mt ${args.join(' ')}: ${out.stderr.trim()}`);
    }
    return out.stdout;
  }

  async writeBlock(b: Uint8Array): Promise<number> {
    const fh = this.fd();
    try {
      const { bytesWritten } = await fh.write(b, 0, b.length);
      this.lastWasWrite = true;
      return bytesWritten;
    } catch (e) {
      throw toTapeError(e, this.dev);
    }
  }

  async readBlock(max: number): Promise<Uint8Array> {
    const fh = this.fd();
    const buf = Buffer.alloc(max);
    try {
      const { bytesRead } = await fh.read(buf, 0, max, null);
      this.lastWasWrite = false;
      return buf.subarray(0, bytesRead);
    } catch (e) {
      throw toTapeError(e, this.dev);
    }
  }

  async writeFilemarks(n = 1, o: { immediate?: boolean } = {}): Promise<void> {
    let count = n;
    if (this.lastWasWrite && count > 0) count--; // closing the fd writes the first one
    if (this.native) return this.ioctl(o.immediate ? MT_OP.WEOFI : MT_OP.WEOF, n, `weof ${n}`);
    if (count === 0 && n === 0) return;
    await this.mtOp([o.immediate ? 'weofi' : 'weof', String(count)]);
  }

  async spaceFiles(n: number): Promise<void> {
    if (n === 0) return;
    if (this.native) return this.ioctl(n > 0 ? MT_OP.FSF : MT_OP.BSF, Math.abs(n), `${n > 0 ? 'fsf' : 'bsf'} ${Math.abs(n)}`);
    if (n > 0) await this.mtOp(['fsf', String(n)]);
    else await this.mtOp(['bsf', String(this.lastWasWrite ? -n + 1 : -n)]);
  }

  async spaceFilesM(n: number): Promise<void> {
    if (n === 0) return;
    if (this.native) return this.ioctl(n > 0 ? MT_OP.FSFM : MT_OP.BSFM, Math.abs(n), `${n > 0 ? 'fsfm' : 'bsfm'} ${Math.abs(n)}`);
    if (n > 0) await this.mtOp(['fsfm', String(n)]);
    else await this.mtOp(['bsfm', String(this.lastWasWrite ? -n + 1 : -n)]);
  }

  async spaceRecords(n: number): Promise<void> {
    if (n === 0) return;
    if (this.native) return this.ioctl(n > 0 ? MT_OP.FSR : MT_OP.BSR, Math.abs(n), `${n > 0 ? 'fsr' : 'bsr'} ${Math.abs(n)}`);
    await this.mtOp([n > 0 ? 'fsr' : 'bsr', String(Math.abs(n))], { refuseAfterWrite: true });
  }

  async rewind(): Promise<void> {
    if (this.native) return this.ioctl(MT_OP.REW, 1, 'rewind');
    await this.mtOp(['rewind']);
  }

  async seekEod(): Promise<void> {
    if (this.native) return this.ioctl(MT_OP.EOM, 1, 'eod');
    await this.mtOp(['eod']);
  }

  async tell(): Promise<number> {
    if (this.native) {
      try {
        return this.native.mtPos(this.fd().fd);
      } catch (e) {
        throw toTapeError(e, `${this.dev}: tell`);
      }
    }
    const out = await this.mtOp(['tell'], { refuseAfterWrite: true });
    const m = /At block (\d+)/.exec(out);
    if (!m) throw new TapeError('EIO', `cannot parse 'mt tell' output: ${out.trim()}`);
    return Number(m[1]);
  }

  async locate(objectId: number): Promise<void> {
    if (this.native) return this.ioctl(MT_OP.SEEK, objectId, `seek ${objectId}`);
    await this.mtOp(['seek', String(objectId)]);
  }

  async setBlockSize(n: number): Promise<void> {
    if (this.native) return this.ioctl(MT_OP.SETBLK, n, `setblk ${n}`);
    await this.mtOp(['setblk', String(n)], { refuseAfterWrite: true });
  }

  async setCompression(on: boolean): Promise<void> {
    if (this.native) return this.ioctl(MT_OP.COMPRESSION, on ? 1 : 0, `compression ${on ? 1 : 0}`);
    await this.mtOp(['compression', on ? '1' : '0'], { refuseAfterWrite: true });
  }

  async erase(long = false): Promise<void> {
    if (this.native) return this.ioctl(MT_OP.ERASE, long ? 1 : 0, 'erase');
    await this.mtOp(long ? ['erase', '1'] : ['erase']);
  }

  async unload(): Promise<void> {
    if (this.native) return this.ioctl(MT_OP.OFFL, 1, 'offline');
    await this.mtOp(['offline']);
  }

  async status(): Promise<TapeStatus> {
    if (this.native) {
      let g;
      try {
        g = this.native.mtGet(this.fd().fd);
      } catch (e) {
        throw toTapeError(e, `${this.dev}: status`);
      }
      return statusOf(g);
    }
    return parseMtStatus(await this.mtOp(['status'], { refuseAfterWrite: true }));
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    try {
      if (this.native && this.o.rewindOnClose && this.fh) {
        // st writes the filemark a write needs before it rewinds; the fd is then closed at BOT.
        await this.native.mtOp(this.fh.fd, MT_OP.REW, 1).catch((e: unknown) => {
          throw toTapeError(e, `${this.dev}: rewind`);
        });
      }
      await this.fh?.close();
      this.fh = null;
      if (this.o.rewindOnClose && !this.native) {
        const out = await this.run(this.mt, ['-f', this.dev, 'rewind']);
        if (out.code !== 0) throw new TapeError(errnoFromText(out.stderr) ?? 'EIO', out.stderr.trim());
      }
    } finally {
      this.onClose();
    }
  }
}

/** struct mtget as a TapeStatus (SCSI-2 fields: partition in the low byte of mt_resid). */
function statusOf(g: { resid: number; dsreg: number; gstat: number; erreg: number; fileno: number; blkno: number }): TapeStatus {
  return makeTapeStatus({
    fileNumber: g.fileno,
    blockNumber: g.blkno,
    partition: g.resid & 0xff,
    blockSize: g.dsreg % 0x1000000,
    densityCode: Math.floor(g.dsreg / 0x1000000) & 0xff,
    softErrors: g.erreg & 0xffff,
    gstat: g.gstat,
  });
}
