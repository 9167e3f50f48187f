// The parent's sink on backup: blocks into the image writer, fragments finished at the unit's size.
//
// Every fragment the writer finished is reported once, in order: also those a tape writer finished by
// itself at end of media before continuing the image on the next volume.

import type { FragmentRecord } from '../../protocol/records.js';
import type { ImageWriter } from '../../storage/driver.js';
import type { ByteSink } from './ring-loops.js';

export class FragmentSink implements ByteSink {
  private reported = 0;
  /** Present when the writer leaves its last run writing (startMany): waits for it. */
  readonly drain?: () => Promise<void>;

  constructor(
    private readonly writer: ImageWriter,
    private readonly onFragment: (f: FragmentRecord) => void,
  ) {
    if (writer.startMany && writer.settle) this.drain = () => writer.settle!();
  }

  async write(block: Buffer): Promise<void> {
    const w = this.writer;
    if (w.fragmentBytes > 0 && block.length > w.room) await this.finish();
    await w.write(block);
    this.report();
    if (w.room <= 0) await this.finish();
  }

  /** The blocks in order, as many at once as fit in the current fragment when the writer can take several. */
  async writeRun(blocks: readonly Buffer[]): Promise<void> {
    const w = this.writer;
    if (!w.writeMany) {
      for (const b of blocks) await this.write(b);
      return;
    }
    for (let i = 0; i < blocks.length; ) {
      if (w.fragmentBytes > 0 && blocks[i]!.length > w.room) await this.finish();
      const room = w.room;
      let j = i + 1;
      let bytes = blocks[i]!.length;
      while (j < blocks.length && bytes + blocks[j]!.length <= room) bytes += blocks[j++]!.length;
      const run = i === 0 && j === blocks.length ? blocks : blocks.slice(i, j);
      await (w.startMany ? w.startMany(run) : j - i === 1 ? w.write(blocks[i]!) : w.writeMany(run));
      this.report();
      if (w.room <= 0) await this.finish();
      i = j;
    }
  }

  /** Finishes the last fragment, if one is open. */
  async end(): Promise<void> {
    if (this.writer.fragmentBytes > 0) await this.finish();
  }

  private async finish(): Promise<void> {
    await this.writer.finishFragment();
    this.report();
  }

  private report(): void {
    const done = this.writer.fragments;
    while (this.reported < done.length) this.onFragment(done[this.reported++]!);
  }
}
