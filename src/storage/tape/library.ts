// The virtual tape library: library.json (slots, import/export slots, drives, barcodes) and its drives.
// Cartridges never move on disk (DIR/cartridges/<BARCODE>.tap); moving one is a change of library.json.

import fs from 'node:fs/promises';
import path from 'node:path';
import { expandBarcodes, isValidBarcode } from './barcode.js';
import { Cartridge, createCartridge, tapPathOf } from './cartridge.js';
import { acquireLock, lockHolder } from './pid-lock.js';
import { DEFAULT_EARLY_WARNING, writeJsonAtomic } from './sidecar.js';
import { TapeError } from './tape-error.js';
import { VirtualChanger } from './virtual-changer.js';
import { VirtualDrive, type VirtualDriveOptions } from './virtual-drive.js';

export interface SlotState {
  n: number;
  barcode: string | null;
}

export interface DriveSlotState {
  n: number;
  serial: string;
  barcode: string | null;
  sourceSlot: number | null;
}

export interface LibraryState {
  format: 'vtl-library';
  version: 1;
  name: string;
  serial: string;
  defaults: { capacityBytes: number; earlyWarningBytes: number };
  /** Storage elements 1..slots.length. */
  slots: SlotState[];
  /** Import/export elements, numbered after the storage slots. */
  ieSlots: SlotState[];
  drives: DriveSlotState[];
  mapOpen: boolean;
  cleaningRequired: number[];
}

export interface CreateLibraryOptions {
  readonly slots: number;
  readonly drives: number;
  readonly ieSlots?: number;
  /** Barcodes or ranges (`A00000L5-A00009L5`), put into slots 1, 2, ... */
  readonly barcodes: readonly string[] | string;
  readonly capacityBytes: number;
  readonly earlyWarningBytes?: number;
  readonly name?: string;
}

export class VirtualLibrary {
  private drivesByN = new Map<number, VirtualDrive>();

  private constructor(
    readonly dir: string,
    public state: LibraryState,
    private readonly driveOptions: VirtualDriveOptions,
  ) {
    for (const d of state.drives) {
      this.drivesByN.set(d.n, new VirtualDrive(`vtl:${dir}/drive${d.n}`, d.barcode ? this.cartridgePath(d.barcode) : null, driveOptions));
    }
  }

  static statePath(dir: string): string {
    return path.join(dir, 'library.json');
  }

  /** Creates a new library directory with blank cartridges in the first slots. */
  static async create(dirIn: string, o: CreateLibraryOptions, driveOptions: VirtualDriveOptions = {}): Promise<VirtualLibrary> {
    const dir = path.resolve(dirIn);
    const barcodes = typeof o.barcodes === 'string' ? expandBarcodes(o.barcodes) : expandBarcodes(o.barcodes.join(','));
    if (!Number.isInteger(o.slots) || o.slots < 1) throw new RangeError('--slots must be at least 1');
    if (!Number.isInteger(o.drives) || o.drives < 1) throw new RangeError('--drives must be at least 1');
    const ie = o.ieSlots ?? 1;
    if (!Number.isInteger(ie) || ie < 0) throw new RangeError('--ie-slots must be 0 or more');
    if (barcodes.length > o.slots) throw new RangeError(`${barcodes.length} barcodes do not fit in ${o.slots} slots`);
    if (!(o.capacityBytes > 0)) throw new RangeError('capacity must be positive');
    const ew = o.earlyWarningBytes ?? Math.min(DEFAULT_EARLY_WARNING, Math.floor(o.capacityBytes / 10));
    if (ew < 0 || ew >= o.capacityBytes) throw new RangeError('early warning must be below the capacity');
    await fs.mkdir(path.join(dir, 'cartridges'), { recursive: true });
    try {
      await fs.access(VirtualLibrary.statePath(dir));
      throw new RangeError(`${dir} already holds a library`);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
    }
    const serial = `OBPVTL${String(Math.floor(Math.random() * 1e6)).padStart(6, '0')}`;
    const state: LibraryState = {
      format: 'vtl-library',
      version: 1,
      name: o.name ?? path.basename(dir),
      serial,
      defaults: { capacityBytes: o.capacityBytes, earlyWarningBytes: ew },
      slots: Array.from({ length: o.slots }, (_, i) => ({ n: i + 1, barcode: barcodes[i] ?? null })),
      ieSlots: Array.from({ length: ie }, (_, i) => ({ n: o.slots + i + 1, barcode: null })),
      drives: Array.from({ length: o.drives }, (_, i) => ({ n: i, serial: `${serial}D${i}`, barcode: null, sourceSlot: null })),
      mapOpen: false,
      cleaningRequired: [],
    };
    for (const b of barcodes) {
      await createCartridge(path.join(dir, 'cartridges'), { barcode: b, capacityBytes: o.capacityBytes, earlyWarningBytes: ew });
    }
    await writeJsonAtomic(VirtualLibrary.statePath(dir), state);
    return new VirtualLibrary(dir, state, driveOptions);
  }

  static async open(dirIn: string, driveOptions: VirtualDriveOptions = {}): Promise<VirtualLibrary> {
    const dir = path.resolve(dirIn);
    return new VirtualLibrary(dir, await VirtualLibrary.readState(dir), driveOptions);
  }

  private static async readState(dir: string): Promise<LibraryState> {
    let text: string;
    try {
      text = await fs.readFile(VirtualLibrary.statePath(dir), 'utf8');
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') throw new TapeError('ENXIO', `${dir} is not a virtual tape library (no library.json)`);
      throw e;
    }
    const st = JSON.parse(text) as LibraryState;
    if (st.format !== 'vtl-library' || st.version !== 1) throw new TapeError('ENXIO', `${dir}/library.json is not a version 1 library`);
    return st;
  }

  cartridgeDir(): string {
    return path.join(this.dir, 'cartridges');
  }

  cartridgePath(barcode: string): string {
    return tapPathOf(this.cartridgeDir(), barcode);
  }

  /** The drive object of this process (0-based, as mtx numbers drives). */
  drive(n: number): VirtualDrive {
    const d = this.drivesByN.get(n);
    if (!d) throw new TapeError('ENXIO', `no drive ${n} in ${this.dir}`);
    return d;
  }

  get drives(): readonly VirtualDrive[] {
    return [...this.drivesByN.values()];
  }

  changer(): VirtualChanger {
    return new VirtualChanger(this);
  }

  /** Re-reads library.json (another process may have moved cartridges) and updates the drives. */
  async refresh(): Promise<LibraryState> {
    this.state = await VirtualLibrary.readState(this.dir);
    this.syncDrives();
    return this.state;
  }

  private syncDrives(): void {
    for (const d of this.state.drives) {
      const drive = this.drive(d.n);
      const want = d.barcode ? this.cartridgePath(d.barcode) : null;
      if (drive.cartridgePath === want) continue;
      if (drive.cartridgePath !== null) drive.eject();
      if (want !== null) drive.insert(want);
    }
  }

  /** Read-modify-write of library.json under the library lock; the change function validates and throws. */
  async mutate<T>(change: (st: LibraryState) => T | Promise<T>): Promise<T> {
    const lock = await acquireLock(path.join(this.dir, 'library.lock'));
    try {
      const st = await VirtualLibrary.readState(this.dir);
      const out = await change(st);
      await writeJsonAtomic(VirtualLibrary.statePath(this.dir), st);
      this.state = st;
      this.syncDrives();
      return out;
    } finally {
      await lock.release();
    }
  }

  /** Whether a drive's cartridge is in use and online (the robot must not pull it). */
  async driveInUse(n: number): Promise<boolean> {
    const d = this.drive(n);
    if (d.isOpen) return d.isOnline;
    const tap = d.cartridgePath;
    if (tap === null) return false;
    const holder = await lockHolder(`${tap}.lock`);
    return holder !== null && holder !== process.pid;
  }

  /** Barcodes of every cartridge file in the library directory (in slots, drives or on the shelf). */
  async cartridges(): Promise<string[]> {
    const names = await fs.readdir(this.cartridgeDir()).catch(() => [] as string[]);
    return names.filter((n) => n.endsWith('.tap')).map((n) => n.slice(0, -4)).sort();
  }

  async createCartridge(barcode: string): Promise<string> {
    if (!isValidBarcode(barcode)) throw new RangeError(`invalid barcode '${barcode}'`);
    const d = this.state.defaults;
    return createCartridge(this.cartridgeDir(), { barcode, capacityBytes: d.capacityBytes, earlyWarningBytes: d.earlyWarningBytes });
  }

  /** Sets or clears the write-protect tab of a cartridge (EBUSY while it is open). */
  async setWriteProtected(barcode: string, on: boolean): Promise<void> {
    const c = await Cartridge.open(this.cartridgePath(barcode));
    try {
      await c.update((sc) => {
        sc.writeProtected = on;
      });
    } finally {
      await c.close();
    }
  }
}
