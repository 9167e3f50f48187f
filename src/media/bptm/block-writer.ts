// The block layer on backup: each ring slot becomes one stored block (plain or framed) with its checksum;
// each finished fragment gets its block index section for the catalogue.

import type { FragmentRecord } from '../../protocol/records.js';
import { OpenbpError } from '../../protocol/errors.js';
import { blockChecksum, encodeFrame, isFramed, type BlockForm } from '../../formats/block-frame.js';
import { encodeSection, type BlockEntry } from '../../formats/block-index.js';
import { WRITE_SUM, blockChecksumPooled } from '../../formats/block-checksum.js';
import type { ByteSink } from './ring-loops.js';
import type { SlotSum } from './ring-channel.js';

/** The producer's checksum of a block, when it is the kind this writer records. */
function usable(s: SlotSum | undefined): string | undefined {
  return s?.sum === WRITE_SUM ? s.checksum : undefined;
}

export class BlockWriter implements ByteSink {
  private readonly framed: boolean;
  private rawOffset = 0;
  /** Blocks handed to the fragment sink whose fragment is not finished yet, in order. */
  private pending: BlockEntry[] = [];
  private fragmentRawStart = 0;
  /** The inner sink's drain, when its last run may still be writing after writeRun resolved. */
  readonly drain?: () => Promise<void>;

  constructor(
    private readonly inner: ByteSink & { end(): Promise<void> },
    private readonly form: BlockForm,
    private readonly backupid: string,
    private readonly copy: number,
  ) {
    this.framed = isFramed(form);
    if (inner.drain) this.drain = () => inner.drain!();
  }

  /** `sum`: the block's checksum, already computed by the producer (used for plain blocks, when of kind WRITE_SUM). */
  async write(block: Buffer, sum?: SlotSum): Promise<void> {
    await this.inner.write(this.store(block, usable(sum)));
  }

  async writeRun(blocks: readonly Buffer[], given: readonly (SlotSum | undefined)[]): Promise<void> {
    if (!this.inner.writeRun) {
      for (let i = 0; i < blocks.length; i++) await this.write(blocks[i]!, given[i]);
      return;
    }
    // Plain blocks hash at once on the thread pool (beside the inner sink's write of the run before).
    const sums = this.framed ? [] : await Promise.all(blocks.map((b, i) => usable(given[i]) ?? blockChecksumPooled(b, WRITE_SUM)));
    await this.inner.writeRun(
      blocks.map((b, i) => this.store(b, sums[i])),
      [],
    );
  }

  /** The stored form of the next block of the stream, its index entry queued. */
  private store(block: Buffer, checksum: string | undefined): Buffer {
    if (this.framed) {
      const { stored } = encodeFrame(block, this.rawOffset, this.form, this.backupid);
      this.pending.push({ storedLength: stored.length, rawLength: block.length, checksum: blockChecksum(stored, WRITE_SUM) });
      this.rawOffset += block.length;
      return stored;
    }
    this.pending.push({ storedLength: block.length, rawLength: block.length, checksum: checksum ?? blockChecksum(block, WRITE_SUM) });
    this.rawOffset += block.length;
    return block;
  }

  /** Finishes the last fragment. */
  async end(): Promise<void> {
    await this.inner.end();
  }

  /**
   * The index section of a fragment just finished: the pending blocks whose stored bytes make up its
   * `bytes` (the fragment sink may finish a fragment before or after writing the block in hand).
   */
  sectionFor(fragment: FragmentRecord): Buffer {
    let stored = 0;
    let raw = 0;
    let n = 0;
    while (stored < fragment.bytes && n < this.pending.length) {
      stored += this.pending[n]!.storedLength;
      raw += this.pending[n]!.rawLength;
      n++;
    }
    if (stored !== fragment.bytes) throw new OpenbpError('MEDIA_WRITE_ERROR', `fragment ${fragment.fragment} holds ${fragment.bytes} bytes, its blocks ${stored}`);
    const blocks = this.pending.slice(0, n);
    this.pending = this.pending.slice(n);
    const section = encodeSection({
      sum: WRITE_SUM, framed: this.framed, copy: this.copy, fragment: fragment.fragment, rawOffset: this.fragmentRawStart, storedOffset: fragment.streamOffset, blocks,
    });
    this.fragmentRawStart += raw;
    return section;
  }
}
