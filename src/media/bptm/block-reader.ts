// The block layer on restore and verify: reads the stored blocks that hold a range of the image stream,
// checks each one against the catalogue's checksum (and opens frames) before any of its bytes go on.

import type { ImageReader, StreamRange } from '../../storage/driver.js';
import { OpenbpError } from '../../protocol/errors.js';
import { blockChecksum, decodeFrame, readFrameHeader, type BlockKey } from '../../formats/block-frame.js';
import type { LocatedBlock } from '../../formats/block-index.js';
import type { ByteSource, DeferredCheck } from './ring-loops.js';

export interface BlockReadPlan {
  readonly framed: boolean;
  /** Every block of the copy, in stream order. */
  readonly blocks: readonly LocatedBlock[];
  readonly backupid: string;
  readonly keyFor: (keyId: string) => BlockKey;
  /**
   * A plain whole block read to the start of a slot is not hashed here: its check goes to the consumer with
   * the slot (takeCheck), which hashes it in the other process before any of its bytes go on.
   */
  readonly deferChecks?: boolean;
}

/** Index of the first block whose bytes reach past `offset`. */
function firstBlockAfter(blocks: readonly LocatedBlock[], offset: number): number {
  let lo = 0;
  let hi = blocks.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    const b = blocks[mid]!;
    if (b.rawOffset + b.rawLength <= offset) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

function mismatch(sum: string, b: LocatedBlock, where: string): OpenbpError {
  return new OpenbpError('MEDIA_READ_ERROR', `${where} fails its checksum: ${b.sum} ${sum}..., catalogue ${b.checksum}...`);
}

export class BlockReader implements ByteSource {
  private next: number;
  private readonly last: number;
  private readonly start: number;
  private readonly end: number;
  private scratch: Buffer = Buffer.alloc(0);
  private out: Buffer = Buffer.alloc(0);
  private outAt = 0;
  /** The block read last whose check was left to the consumer (if nothing else joins it in its slot). */
  private deferred: { block: Buffer; b: LocatedBlock; where: string } | undefined;

  /** The blocks holding `range` of the image stream, and the stored range they occupy. */
  constructor(
    private readonly plan: BlockReadPlan,
    range: StreamRange,
  ) {
    const { blocks } = plan;
    this.start = Math.max(0, range.start);
    this.end = range.end < 0 ? Number.POSITIVE_INFINITY : range.end;
    this.next = firstBlockAfter(blocks, this.start);
    this.last = this.end === Number.POSITIVE_INFINITY ? blocks.length - 1 : firstBlockAfter(blocks, this.end - 1);
  }

  /** The stored range to open on the driver (empty when the range holds no block). */
  get storedRange(): StreamRange {
    const b = this.plan.blocks;
    if (this.next > this.last || this.next >= b.length) return { start: 0, end: 0 };
    const lastBlock = b[Math.min(this.last, b.length - 1)]!;
    return { start: b[this.next]!.storedOffset, end: lastBlock.storedOffset + lastBlock.storedLength };
  }

  private reader: ImageReader | undefined;

  attach(reader: ImageReader): this {
    this.reader = reader;
    return this;
  }

  async read(buf: Buffer, offset: number, length: number): Promise<number> {
    if (this.outAt < this.out.length) {
      this.checkDeferred();
      return this.copyOut(buf, offset, length);
    }
    if (this.next > this.last || this.next >= this.plan.blocks.length) return 0;
    // More bytes join the slot of a block whose check was deferred: the slot is no longer that one block.
    this.checkDeferred();
    const b = this.plan.blocks[this.next]!;
    const where = `block ${this.next} of fragment ${b.fragment} (stream offset ${b.rawOffset})`;
    this.next++;
    const skip = Math.max(0, this.start - b.rawOffset);
    const stop = Math.min(b.rawLength, this.end - b.rawOffset);
    if (!this.plan.framed && skip === 0 && stop === b.rawLength && length >= b.storedLength) {
      // The common case: the block lands straight in the ring slot, checked there before it is posted.
      const block = buf.subarray(offset, offset + b.storedLength);
      await this.readExact(block, where);
      if (this.plan.deferChecks && offset === 0) this.deferred = { block, b, where };
      else this.check(blockChecksum(block, b.sum), b, where);
      return b.storedLength;
    }
    if (this.scratch.length < b.storedLength) this.scratch = Buffer.allocUnsafe(b.storedLength);
    const stored = this.scratch.subarray(0, b.storedLength);
    await this.readExact(stored, where);
    let raw: Buffer;
    if (this.plan.framed) {
      this.check(blockChecksum(stored, b.sum), b, where);
      const h = readFrameHeader(stored, where);
      if (h.rawLength !== b.rawLength || h.streamOffset !== b.rawOffset) throw new OpenbpError('MEDIA_READ_ERROR', `${where}: frame is for stream offset ${h.streamOffset}, not ${b.rawOffset}`);
      raw = decodeFrame(stored, h, this.plan.backupid, this.plan.keyFor, where);
    } else {
      this.check(blockChecksum(stored, b.sum), b, where);
      raw = stored;
    }
    this.out = raw.subarray(skip, stop);
    this.outAt = 0;
    return this.copyOut(buf, offset, length);
  }

  private copyOut(buf: Buffer, offset: number, length: number): number {
    const n = Math.min(length, this.out.length - this.outAt);
    this.out.copy(buf, offset, this.outAt, this.outAt + n);
    this.outAt += n;
    return n;
  }

  /** The check of the slot just filled, when it holds one plain block whose check was deferred. */
  takeCheck(): DeferredCheck | undefined {
    const d = this.deferred;
    this.deferred = undefined;
    return d && { checksum: d.b.checksum, sum: d.b.sum, mismatch: (actual) => mismatch(actual, d.b, d.where) };
  }

  private checkDeferred(): void {
    const d = this.deferred;
    this.deferred = undefined;
    if (d) this.check(blockChecksum(d.block, d.b.sum), d.b, d.where);
  }

  private check(sum: string, b: LocatedBlock, where: string): void {
    if (sum !== b.checksum) throw mismatch(sum, b, where);
  }

  private async readExact(into: Buffer, where: string): Promise<void> {
    let got = 0;
    while (got < into.length) {
      const n = await this.reader!.read(into, got, into.length - got);
      if (n === 0) throw new OpenbpError('MEDIA_READ_ERROR', `${where}: the image ends ${into.length - got} bytes into the block`);
      got += n;
    }
  }
}
