// The two halves of the ring hand-off: a producer fills slots from a source, a consumer drains them to a sink.
//
// Both sides overlap: the producer fills slot k+1 while the consumer drains slot k. Hand-offs are
// batched (a quarter of the ring per message) unless the other side said it is waiting (HUNGRY),
// and a side always reports all its progress before it waits itself, so neither can wait forever.

import { MSG, type RingChannel, type SlotSum } from './ring-channel.js';
import type { ShmRing } from './shm-ring.js';
import type { Stop } from './stop.js';
import { blockChecksumPooled } from '../../formats/block-checksum.js';
import { OpenbpError } from '../../protocol/errors.js';

/** Where a producer gets bytes: resolves with up to `length` bytes read into buf at offset, 0 at the end. */
/** A check a source left to the consumer: the checksum the block must have, and the failure to report if not. */
export interface DeferredCheck extends SlotSum {
  mismatch(actual: string): OpenbpError;
}

export interface ByteSource {
  read(buf: Buffer, offset: number, length: number): Promise<number>;
  /**
   * Optional, asked once a slot is filled: when the slot holds exactly one stored block whose checksum the
   * source did not check, the check to leave to the consumer (LoopHooks.verify on its side).
   */
  takeCheck?(): DeferredCheck | undefined;
  /** True while a read into a caller's buffer is still in flight (after a stop): the buffer must stay mapped. */
  readonly busy?: boolean;
}

/**
 * Where a consumer puts bytes; `block` (a ring slot itself) may be reused once the promise resolves: keep no
 * reference. `sum` is the block's checksum when the producer sent one with the slot (SUM).
 */
export interface ByteSink {
  write(block: Buffer, sum?: SlotSum): Promise<void>;
  /**
   * Optional: several blocks at once, in order (consecutive slots, so a sink can write them with one system
   * call: a disk file takes one 4 MiB write far cheaper than sixteen of 256 KiB). Same contract as write()
   * for each block; `sums[i]` belongs to `blocks[i]`.
   */
  writeRun?(blocks: readonly Buffer[], sums: readonly (SlotSum | undefined)[]): Promise<void>;
  /**
   * Optional: present when writeRun resolves before its blocks are written (the write goes on beside the next
   * run's work, e.g. its hashing): then the blocks of a run stay in use until the next writeRun or write, or
   * drain(), resolves. drain() waits until everything handed over is written.
   */
  drain?(): Promise<void>;
  /**
   * Optional: how many of the last blocks written the sink still holds after write() resolved (it handed a pipe
   * references to their pages, not copies; see VmspliceSink): their slots stay as they are until it lets go.
   */
  held?(): number;
  /** With held(): waits until the sink holds fewer blocks (the reader took more), or none is held. */
  letGo?(): Promise<void>;
  /**
   * Optional, for a consumer that verifies (LoopHooks.verify): `run` is consecutive blocks of `blockSize` (the last
   * may be shorter), written in order, each once it matches its SUM (none: unchecked), all in one step. Stops before
   * the first block that does not match: `bad` is its index in the run and `actual` its checksum. Blocks written
   * are held as with write() (held()).
   */
  writeChecked?(run: Buffer, blockSize: number, sums: readonly (SlotSum | undefined)[]): Promise<CheckedRun>;
  /** True while a call into the sink is still reading a slot (after a stop): the ring must stay mapped. */
  readonly busy?: boolean;
}

/** What writeChecked did: the bytes written, and the block that failed its check if one did. */
export interface CheckedRun {
  readonly bytes: number;
  readonly bad?: { readonly index: number; readonly actual: string };
}

/** The most a consumer hands a sink's writeRun at once. */
export const RUN_BYTES = 4 * 1024 * 1024;
/** ... and at most this many blocks (well below IOV_MAX). */
const MAX_RUN_BLOCKS = 64;

export interface LoopHooks {
  /** Called after each slot with the bytes moved so far. */
  onBytes?(total: number): void;
  /** Consumer: check each block against the SUM the producer sent for it (a restore's child), before it goes on. */
  verify?: boolean;
}

function batchOf(ring: ShmRing): number {
  return Math.max(1, Math.floor(ring.slots / 4));
}

/** Fills slots from source until it ends; sends EOF with the byte count and returns it. */
export async function produce(ring: ShmRing, chan: RingChannel, source: ByteSource, stop: Stop, hooks: LoopHooks = {}): Promise<number> {
  const { slots, slotSize } = ring;
  const batch = batchOf(ring);
  let produced = 0;
  let posted = 0;
  // Checks left to the consumer, by block number, until the consumer has freed the block (it checked it then).
  const deferred = new Map<number, DeferredCheck>();
  if (source.takeCheck) {
    chan.onSum = (block, actual) => {
      const d = deferred.get(block);
      stop.trigger(d ? d.mismatch(actual.checksum) : new OpenbpError('MEDIA_READ_ERROR', `ring block ${block} fails its checksum: ${actual.sum} ${actual.checksum}...`));
    };
  }
  let hungrySent = -1;
  let total = 0;
  for (;;) {
    if (produced - chan.freed >= slots) {
      if (posted < produced || hungrySent !== produced) {
        chan.send(MSG.FILLED, produced, true);
        posted = produced;
        hungrySent = produced;
      }
      await chan.until(() => produced - chan.freed < slots);
    }
    // The source reads straight into the shared slot: no staging buffer, no copy.
    const slot = ring.slot(produced % slots);
    let fill = 0;
    let ended = false;
    while (fill < slotSize) {
      const n = await source.read(slot, fill, slotSize - fill);
      stop.check();
      if (n === 0) {
        ended = true;
        break;
      }
      fill += n;
    }
    if (fill > 0) {
      const check = source.takeCheck?.();
      if (check) {
        chan.sendSum(produced, check);
        deferred.set(produced, check);
        if (deferred.size > 2 * slots) for (const n of deferred.keys()) if (n < chan.freed) deferred.delete(n);
      }
      produced++;
      total += fill;
      hooks.onBytes?.(total);
    }
    if (ended) {
      chan.send(MSG.EOF, total);
      return total;
    }
    if (produced - posted >= batch || chan.peerHungry) {
      chan.peerHungry = false;
      chan.send(MSG.FILLED, produced);
      posted = produced;
    }
  }
}

/** Drains slots into sink until the producer's EOF; returns the byte count. Does not send DONE. */
export async function consume(ring: ShmRing, chan: RingChannel, sink: ByteSink, stop: Stop, hooks: LoopHooks = {}): Promise<number> {
  const { slots, slotSize } = ring;
  const batch = batchOf(ring);
  // A lagging sink holds one run while the next is prepared: a third of the ring each leaves the producer a third.
  const maxRun = Math.max(1, Math.min(MAX_RUN_BLOCKS, Math.floor(RUN_BYTES / slotSize), sink.drain ? Math.floor(slots / 3) : slots));
  let consumed = 0;
  /** Slots whose bytes the sink is done with (behind `consumed` by the run a lagging sink may still be writing). */
  let released = 0;
  let posted = 0;
  let hungrySent = -1;
  let total = 0;
  for (;;) {
    if (consumed >= chan.filled) {
      if (released < consumed) {
        if (sink.letGo) {
          // Waiting on the pipe's reader, not on the producer: what it let go goes to the producer at once.
          await sink.letGo();
          released = consumed - sink.held!();
          if (released > posted) {
            chan.send(MSG.FREED, released);
            posted = released;
          }
        } else {
          await sink.drain!();
          released = consumed;
        }
        stop.check();
        continue; // more may have been filled (and the end said) meanwhile
      }
      if (chan.eofBytes !== undefined) return total;
      if (posted < released || hungrySent !== released) {
        chan.send(MSG.FREED, released, true);
        posted = released;
        hungrySent = released;
      }
      await chan.until(() => consumed < chan.filled || chan.eofBytes !== undefined);
      continue;
    }
    const lengthOf = (n: number): number => (chan.eofBytes !== undefined ? Math.min(slotSize, chan.eofBytes - n * slotSize) : slotSize);
    const blockOf = (n: number): Buffer => {
      const slot = ring.slot(n % slots);
      const len = lengthOf(n);
      return len === slotSize ? slot : slot.subarray(0, len);
    };
    // The filled slots up to the end of the ring (a run is contiguous in the mapping), at most RUN_BYTES.
    const runs = sink.writeRun !== undefined && !hooks.verify;
    // A checked run is one step, whose slots are freed only once it is done: at most a quarter of the ring.
    const checked = hooks.verify === true && sink.writeChecked !== undefined;
    const run = runs || hooks.verify ? Math.min(chan.filled - consumed, slots - (consumed % slots), checked ? batch : maxRun) : 1;
    const asRun = runs && (run > 1 || sink.drain !== undefined);
    if (checked) {
      total += await checkedRun(chan, sink, consumed, ring.run(consumed % slots, run, lengthOf(consumed + run - 1)), slotSize);
    } else if (hooks.verify) {
      total += await verifiedRun(chan, sink, consumed, Array.from({ length: run }, (_, i) => blockOf(consumed + i)));
    } else if (asRun) {
      const blocks: Buffer[] = [];
      const sums: (SlotSum | undefined)[] = [];
      for (let n = consumed; n < consumed + run; n++) {
        blocks.push(blockOf(n));
        sums.push(chan.takeSum(n));
      }
      await sink.writeRun!(blocks, sums);
      for (const b of blocks) total += b.length;
    } else {
      const block = blockOf(consumed);
      const sum = chan.takeSum(consumed);
      await sink.write(block, sum);
      total += block.length;
    }
    stop.check();
    // A lagging sink is done with every run before this one; a holding sink with all but the blocks it holds; any
    // other with this one too.
    released = asRun && sink.drain ? consumed : consumed + run - (sink.held?.() ?? 0);
    consumed += run;
    hooks.onBytes?.(total);
    if (released - posted >= batch || (chan.peerHungry && released > posted)) {
      chan.peerHungry = false;
      chan.send(MSG.FREED, released);
      posted = released;
    }
  }
}

/**
 * Writes blocks `first`.. in order, each once it has the SUM the producer sent for it. They are hashed at once on
 * the thread pool (a slot's hash took most of the consumer's time on the JS thread, before its write to the
 * pipe: restore of 3.2 GB of large files 5.3 s): the first block's write overlaps the later ones' hashing.
 * Returns the bytes written.
 */
async function verifiedRun(
  chan: RingChannel,
  sink: ByteSink,
  first: number,
  blocks: readonly Buffer[],
  sums: readonly (SlotSum | undefined)[] = blocks.map((_, i) => chan.takeSum(first + i)),
): Promise<number> {
  const hashes = blocks.map((b, i) => (sums[i] === undefined ? undefined : blockChecksumPooled(b, sums[i]!.sum)));
  let bytes = 0;
  try {
    for (let i = 0; i < blocks.length; i++) {
      const sum = sums[i];
      const hash = hashes[i];
      if (sum !== undefined && hash !== undefined) verifyBlock(chan, first + i, sum, await hash);
      await sink.write(blocks[i]!, sums[i]);
      bytes += blocks[i]!.length;
    }
  } finally {
    // The pool reads the slots where they lie: none may be unmapped (after a failure) while a hash is running.
    await Promise.allSettled(hashes.filter((h) => h !== undefined));
  }
  return bytes;
}

/** verifiedRun through the sink's writeChecked: `run` holds blocks `first`.. in one buffer. Returns the bytes written. */
async function checkedRun(chan: RingChannel, sink: ByteSink, first: number, run: Buffer, blockSize: number): Promise<number> {
  const count = Math.ceil(run.length / blockSize);
  const sums = Array.from({ length: count }, (_, i) => chan.takeSum(first + i));
  if (sums.some((s) => s?.sum === 'sha256')) {
    // Images of block index version 1: node's sha256 may be all there is (blockChecksumPooled knows).
    const blocks = Array.from({ length: count }, (_, i) => run.subarray(i * blockSize, Math.min(run.length, (i + 1) * blockSize)));
    return verifiedRun(chan, sink, first, blocks, sums);
  }
  const done = await sink.writeChecked!(run, blockSize, sums);
  if (done.bad !== undefined) verifyBlock(chan, first + done.bad.index, sums[done.bad.index]!, done.bad.actual);
  return done.bytes;
}

/** Throws (after telling the producer the actual checksum) when block n does not have the SUM sent for it. */
function verifyBlock(chan: RingChannel, n: number, expected: SlotSum, actual: string): void {
  if (actual === expected.checksum) return;
  chan.sendSum(n, { checksum: actual, sum: expected.sum }); // goes out with the ERROR that follows
  throw new OpenbpError('MEDIA_READ_ERROR', `ring block ${n} fails its checksum: ${expected.sum} ${actual}..., catalogue ${expected.checksum}...`);
}
