// A real medium changer (/dev/sgN) driven through `mtx`, parsing `mtx status`.
// UNTESTED WITHOUT HARDWARE (only its parsing is tested). mtx failures surface as ChangerError with mtx's text.

import { runCommand, type CommandRunner } from './command-runner.js';
import { parseMtxStatus, type ChangerStatus } from './changer-status.js';
import { ChangerError, type Changer, type ImportExportOp } from './tape-device.js';

export class MtxChanger implements Changer {
  constructor(
    readonly device: string,
    private readonly o: { mtx?: string; run?: CommandRunner } = {},
  ) {}

  private async mtx(...args: string[]): Promise<string> {
    const out = await (this.o.run ?? runCommand)(this.o.mtx ?? 'mtx', ['-f', this.device, ...args]);
    if (out.code !== 0) throw new ChangerError((out.stderr.trim() || out.stdout.trim() || `mtx ${args.join(' ')} failed`).split('\n').pop()!);
    return out.stdout;
  }

  async status(): Promise<ChangerStatus> {
    return parseMtxStatus(await this.mtx('status'));
  }
  async load(slot: number, drive: number): Promise<void> {
    await this.mtx('load', String(slot), String(drive));
  }
  async unload(drive: number, slot?: number): Promise<void> {
    let target = slot;
    if (target === undefined) {
      const d = (await this.status()).drives.find((x) => x.n === drive);
      if (!d || !d.full) throw new ChangerError(`Data Transfer Element ${drive} is Empty`);
      if (d.sourceSlot === null) throw new ChangerError(`source slot of drive ${drive} unknown: name a slot`);
      target = d.sourceSlot;
    }
    await this.mtx('unload', String(target), String(drive));
  }
  async transfer(from: number, to: number): Promise<void> {
    await this.mtx('transfer', String(from), String(to));
  }
  async inventory(): Promise<void> {
    await this.mtx('inventory');
  }
  async importExport(op: ImportExportOp, _barcode?: string): Promise<void> {
    throw new ChangerError(`import/export '${op}' is not available through mtx: use the library's mail slot and then inventory`);
  }
}
