// The parent's sink on backup: blocks into the image writer, fragments finished at the unit's size.
//
// Every fragment the writer finished is reported once, in order: also those a tape writer finished by
// itself at end of media before continuing the image on the next volume.

import type { FragmentRecord } from '../../protocol/records.js';
import type { ImageWriter } from '../../storage/driver.js';
import type { ByteSink } from './ring-loops.js';

export class FragmentSink implements ByteSink {
  private reported = 0;

  constructor(
    private readonly writer: ImageWriter,
    private readonly onFragment: (f: FragmentRecord) => void,
  ) {}

  async write(block: Buffer): Promise<void> {
    const w = this.writer;
    if (w.fragmentBytes > 0 && block.length > w.room) await this.finish();
    await w.write(block);
    this.report();
    if (w.room <= 0) await this.finish();
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
