// The emulated st drive (`vtl:LIB/driveN`): a cartridge slot, drive state that survives close/open, one opener.

import { Cartridge } from './cartridge.js';
import { MAX_RECORD } from './simh-format.js';
import { atBot, bot, type DriveState } from './st-state.js';
import type { TapeDevice, TapeHandle, TapeOpenOptions } from './tape-device.js';
import { TapeError } from './tape-error.js';
import { VirtualHandle } from './virtual-handle.js';

export interface VirtualDriveOptions {
  /** st option two-fms: close after write writes two filemarks and backspaces over one. */
  readonly twoFilemarksOnClose?: boolean;
  /** st option fast-eod: `seekEod` loses the file number (-1). */
  readonly fastEod?: boolean;
  /** Drive supports backspacing records (default true); false = bsr fails with EIO. */
  readonly canBsr?: boolean;
  /** st option sysv: close after reading on the no-rewind node moves past the next filemark. */
  readonly sysv?: boolean;
  /** Block size set when a cartridge is loaded (st `defblksize`); 0 = variable. */
  readonly defaultBlockSize?: number;
  /** READ BLOCK LIMITS; counts outside fail with EINVAL. Default 1..16 MiB-1 (the SIMH maximum). */
  readonly blockLimits?: { readonly min: number; readonly max: number };
  /** fsync the .tap after every record (crash tests); otherwise only at filemarks, unload and close. */
  readonly syncEveryBlock?: boolean;
  readonly faults?: {
    /** The nth writeBlock of a handle (1-based) writes half a record and never returns (a torn write). */
    readonly tornWriteAt?: number;
    /** The nth writeBlock of a handle (1-based) writes a record flagged bad (reading it fails with EIO). */
    readonly badRecordAt?: number;
  };
}

export class VirtualDrive implements TapeDevice {
  /** @internal drive state shared with the open handle; kept across close/open (no-rewind node). */
  readonly state: DriveState;
  private tap: string | null;
  private offline = false;
  private handle: VirtualHandle | null = null;
  /** Generation of the cartridge when this drive last let go of it; a change means someone else wrote. */
  private knownGeneration: number | null = null;

  constructor(
    readonly name: string,
    tapPath: string | null,
    readonly options: VirtualDriveOptions = {},
  ) {
    this.tap = tapPath;
    this.state = bot(options.defaultBlockSize ?? 0);
  }

  get cartridgePath(): string | null {
    return this.tap;
  }
  /** A cartridge is in the drive and it has not been taken offline. */
  get isOnline(): boolean {
    return this.tap !== null && !this.offline;
  }
  get isOpen(): boolean {
    return this.handle !== null;
  }
  get blockLimits(): { min: number; max: number } {
    return this.options.blockLimits ?? { min: 1, max: MAX_RECORD };
  }

  /** The changer puts a cartridge in: drive ready at BOT, block size back to the default. */
  insert(tapPath: string): void {
    if (this.tap !== null) throw new TapeError('EBUSY', `${this.name} already holds a cartridge`);
    this.tap = tapPath;
    this.offline = false;
    this.knownGeneration = null;
    Object.assign(this.state, bot(this.options.defaultBlockSize ?? 0));
  }

  /** The changer takes the cartridge out; returns its path. */
  eject(): string | null {
    const t = this.tap;
    this.tap = null;
    this.offline = false;
    this.knownGeneration = null;
    return t;
  }

  async open(o: TapeOpenOptions): Promise<TapeHandle> {
    if (this.handle) throw new TapeError('EBUSY', `${this.name} is already open`);
    let cart: Cartridge | null = null;
    if (this.isOnline) cart = await this.openSession();
    else if (!o.nonBlocking) throw new TapeError('ENOMEDIUM', `no cartridge in ${this.name}`);
    this.handle = new VirtualHandle(this, o, cart);
    return this.handle;
  }

  /** @internal opens the loaded cartridge; a crash recovery or a foreign write puts the drive at BOT. */
  async openSession(): Promise<Cartridge> {
    const c = await Cartridge.open(this.tap!);
    if (c.recovered || (this.knownGeneration !== null && this.knownGeneration !== c.sc.generation)) atBot(this.state);
    if (this.state.off > c.size) atBot(this.state);
    return c;
  }

  /** @internal the handle is closing. */
  released(generation: number | null): void {
    this.handle = null;
    if (generation !== null) this.knownGeneration = generation;
  }

  /** @internal MTOFFL: the cartridge is rewound and ejected into the drive's throat. */
  goOffline(): void {
    atBot(this.state);
    this.offline = true;
  }
}
