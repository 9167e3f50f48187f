// The robot of the virtual library: mtx's verbs and error texts over library.json.

import fs from 'node:fs/promises';
import { isValidBarcode } from './barcode.js';
import { Cartridge } from './cartridge.js';
import { makeChangerStatus, type ChangerStatus } from './changer-status.js';
import type { LibraryState, SlotState, VirtualLibrary } from './library.js';
import { ChangerError, type Changer, type ImportExportOp } from './tape-device.js';

export class VirtualChanger implements Changer {
  constructor(private readonly lib: VirtualLibrary) {}

  private static element(st: LibraryState, n: number): SlotState | undefined {
    return st.slots.find((s) => s.n === n) ?? st.ieSlots.find((s) => s.n === n);
  }

  async status(): Promise<ChangerStatus> {
    const st = await this.lib.refresh();
    return makeChangerStatus(
      this.lib.dir,
      st.drives.map((d) => ({ n: d.n, full: d.barcode !== null, barcode: d.barcode, sourceSlot: d.barcode !== null ? d.sourceSlot : null })),
      [
        ...st.slots.map((s) => ({ n: s.n, full: s.barcode !== null, barcode: s.barcode, importExport: false })),
        ...st.ieSlots.map((s) => ({ n: s.n, full: s.barcode !== null, barcode: s.barcode, importExport: true })),
      ],
    );
  }

  async load(slot: number, drive: number): Promise<void> {
    const cleaned = await this.lib.mutate((st) => {
      const d = st.drives.find((x) => x.n === drive);
      if (!d) throw new ChangerError(`illegal <drive-number> argument '${drive}' to 'load' command`);
      const s = VirtualChanger.element(st, slot);
      if (!s) throw new ChangerError(`Invalid <storage-element-number> argument '${slot}' to 'load' command`);
      if (d.barcode !== null) throw new ChangerError(`Drive ${drive} Full (Storage Element ${d.sourceSlot ?? '?'} loaded)`);
      if (s.barcode === null) throw new ChangerError(`Source Element Address ${slot} is Empty`);
      if (s.barcode.toUpperCase().startsWith('CLN')) {
        st.cleaningRequired = st.cleaningRequired.filter((n) => n !== drive);
        return s.barcode; // the drive cleans and ejects it back to its slot
      }
      d.barcode = s.barcode;
      d.sourceSlot = slot;
      s.barcode = null;
      return null;
    });
    const tap = this.lib.drive(drive).cartridgePath;
    const cart = cleaned ? this.lib.cartridgePath(cleaned) : tap;
    if (cart) await bumpLoadCount(cart, cleaned !== null);
    if (cleaned) throw new ChangerError('Cleaning Cartridge Installed and Ejected');
  }

  async unload(drive: number, slot?: number): Promise<void> {
    const inUse = await this.lib.driveInUse(drive).catch(() => false);
    await this.lib.mutate((st) => {
      const d = st.drives.find((x) => x.n === drive);
      if (!d) throw new ChangerError(`illegal <drive-number> argument '${drive}' to 'unload' command`);
      if (d.barcode === null) throw new ChangerError(`Data Transfer Element ${drive} is Empty`);
      let target = slot ?? d.sourceSlot ?? st.slots.find((s) => s.barcode === null)?.n;
      if (target === undefined) throw new ChangerError('No More Media');
      const s = VirtualChanger.element(st, target);
      if (!s) throw new ChangerError(`Invalid <storage-element-number> argument '${target}' to 'unload' command`);
      if (s.barcode !== null) throw new ChangerError(`Storage Element ${target} is Already Full`);
      if (inUse) throw new ChangerError('Drive needs offline before move');
      s.barcode = d.barcode;
      d.barcode = null;
      d.sourceSlot = null;
      target = s.n;
    });
  }

  async transfer(from: number, to: number): Promise<void> {
    await this.lib.mutate((st) => {
      const a = VirtualChanger.element(st, from);
      if (!a) throw new ChangerError(`Invalid <storage-element-number> argument '${from}' to 'transfer' command`);
      const b = VirtualChanger.element(st, to);
      if (!b) throw new ChangerError(`Invalid <storage-element-number> argument '${to}' to 'transfer' command`);
      if (a.barcode === null) throw new ChangerError(`Source Element Address ${from} is Empty`);
      if (b.barcode !== null) throw new ChangerError(`Destination Element Address ${to} is Already Full`);
      b.barcode = a.barcode;
      a.barcode = null;
    });
  }

  async inventory(): Promise<void> {
    const st = await this.lib.refresh();
    const known = new Set(await this.lib.cartridges());
    for (const b of [...st.slots, ...st.ieSlots, ...st.drives].map((e) => e.barcode)) {
      if (b !== null && !known.has(b)) throw new ChangerError(`Cartridge ${b} is missing from ${this.lib.cartridgeDir()}`);
    }
  }

  /** open/close the mail slot; insert a cartridge (created blank if new) into it; remove one (to the shelf). */
  async importExport(op: ImportExportOp, barcode?: string): Promise<void> {
    if (op === 'insert') {
      if (!barcode || !isValidBarcode(barcode)) throw new ChangerError(`invalid barcode '${barcode ?? ''}'`);
      try {
        await fs.access(this.lib.cartridgePath(barcode));
      } catch {
        await this.lib.createCartridge(barcode);
      }
    }
    await this.lib.mutate((st) => {
      if (op === 'open' || op === 'close') {
        st.mapOpen = op === 'open';
        return;
      }
      const all = [...st.slots, ...st.ieSlots, ...st.drives];
      if (op === 'insert') {
        if (all.some((e) => e.barcode === barcode)) throw new ChangerError(`Barcode ${barcode} is already in the library`);
        const free = st.ieSlots.find((s) => s.barcode === null);
        if (!free) throw new ChangerError('No empty Import/Export element');
        free.barcode = barcode!;
        return;
      }
      const hits = st.ieSlots.filter((s) => s.barcode !== null && (barcode === undefined || s.barcode === barcode));
      if (hits.length === 0) throw new ChangerError(barcode ? `Barcode ${barcode} is not in an Import/Export element` : 'Import/Export elements are empty');
      for (const s of hits) s.barcode = null;
    });
  }
}

async function bumpLoadCount(tap: string, cleaning: boolean): Promise<void> {
  let c: Cartridge;
  try {
    c = await Cartridge.open(tap);
  } catch {
    return; // statistics only; a busy cartridge keeps its count
  }
  try {
    await c.update((sc) => {
      sc.loadCount++;
      if (cleaning && sc.cleaningRunsLeft > 0) sc.cleaningRunsLeft--;
    });
  } finally {
    await c.close();
  }
}
