// A real Linux st drive (/dev/nstN): data through read()/write() on the fd, control through `mt`.
//
// UNTESTED WITHOUT HARDWARE. The conformance suite runs against it only when OPENBP_TEST_TAPE names a device.
//
// Limits of the `mt` fallback (reference/tape.md §5b; no ioctl FFI is used):
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
import { parseMtStatus, type TapeStatus } from './tape-status.js';

export interface StDriveOptions {
  /** `mt` binary (default "mt"). */
  readonly mt?: string;
  readonly run?: CommandRunner;
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
    this.opened = true;
    return h;
  }
}

class StHandle implements TapeHandle {
  private fh: fs.FileHandle | null = null;
  private lastWasWrite = false;
  private closed = false;

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
    if (count === 0 && n === 0) return;
    await this.mtOp([o.immediate ? 'weofi' : 'weof', String(count)]);
  }

  async spaceFiles(n: number): Promise<void> {
    if (n === 0) return;
    if (n > 0) await this.mtOp(['fsf', String(n)]);
    else await this.mtOp(['bsf', String(this.lastWasWrite ? -n + 1 : -n)]);
  }

  async spaceFilesM(n: number): Promise<void> {
    if (n === 0) return;
    if (n > 0) await this.mtOp(['fsfm', String(n)]);
    else await this.mtOp(['bsfm', String(this.lastWasWrite ? -n + 1 : -n)]);
  }

  async spaceRecords(n: number): Promise<void> {
    if (n === 0) return;
    await this.mtOp([n > 0 ? 'fsr' : 'bsr', String(Math.abs(n))], { refuseAfterWrite: true });
  }

  async rewind(): Promise<void> {
    await this.mtOp(['rewind']);
  }

  async seekEod(): Promise<void> {
    await this.mtOp(['eod']);
  }

  async tell(): Promise<number> {
    const out = await this.mtOp(['tell'], { refuseAfterWrite: true });
    const m = /At block (\d+)/.exec(out);
    if (!m) throw new TapeError('EIO', `cannot parse 'mt tell' output: ${out.trim()}`);
    return Number(m[1]);
  }

  async locate(objectId: number): Promise<void> {
    await this.mtOp(['seek', String(objectId)]);
  }

  async setBlockSize(n: number): Promise<void> {
    await this.mtOp(['setblk', String(n)], { refuseAfterWrite: true });
  }

  async setCompression(on: boolean): Promise<void> {
    await this.mtOp(['compression', on ? '1' : '0'], { refuseAfterWrite: true });
  }

  async erase(long = false): Promise<void> {
    await this.mtOp(long ? ['erase', '1'] : ['erase']);
  }

  async unload(): Promise<void> {
    await this.mtOp(['offline']);
  }

  async status(): Promise<TapeStatus> {
    return parseMtStatus(await this.mtOp(['status'], { refuseAfterWrite: true }));
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    try {
      await this.fh?.close();
      this.fh = null;
      if (this.o.rewindOnClose) {
        const out = await this.run(this.mt, ['-f', this.dev, 'rewind']);
        if (out.code !== 0) throw new TapeError(errnoFromText(out.stderr) ?? 'EIO', out.stderr.trim());
      }
    } finally {
      this.onClose();
    }
  }
}
