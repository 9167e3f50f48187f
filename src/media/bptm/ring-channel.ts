// The control pipe between the two bptm processes: fixed 16-byte messages saying which slots are ready.
//
// Frame: byte 0 type, byte 1 flags (bit 0 HUNGRY: the sender is waiting for the receiver), bytes 8..15
// a float64 value. Counts are cumulative (slots filled / freed since the start), so a late or
// coalesced message is never ambiguous, and one message can hand over any number of slots.
// SUM is the one exception to the flags and the value: byte 1 says the hash (SUM_CODE: 1 sha256, 2 BLAKE3), bytes 2..7
// hold the block number (uint48 LE, counted from 0 like the slots filled) and bytes 8..15 a block checksum (the
// 8 bytes of blockChecksum). Producer -> consumer,
// sent before the FILLED that hands the block over: on backup the sum to record, on restore the sum the
// catalogue expects (the consumer checks the block before any byte of it goes on). Consumer -> producer,
// only on restore: the block did not match, here is what it hashed to (the producer, which knows where the
// block came from, reports it; an ERROR follows).

import type { Duplex } from 'node:stream';
import type { Stop } from './stop.js';
import { peerFailed } from './exit-status.js';
import { OpenbpError } from '../../protocol/errors.js';
import { SUM_CODE, sumOfCode, writeChecksum, type SumKind } from '../../formats/block-checksum.js';

/** A block's checksum as a SUM frame carries it: 16 hex digits, and the hash they are the prefix of. */
export interface SlotSum {
  readonly checksum: string;
  readonly sum: SumKind;
}

export const MSG = {
  /** child -> parent: the buffer file is open. */
  READY: 1,
  /** producer -> consumer: value = slots filled so far (all full). */
  FILLED: 2,
  /** producer -> consumer: the stream ended; value = total bytes (every slot is handed over). */
  EOF: 3,
  /** consumer -> producer: value = slots consumed so far (free again). */
  FREED: 4,
  /** either way: the sender failed with NetBackup status = value and stops. */
  ERROR: 5,
  /** consumer -> producer: everything was consumed; value = total bytes. */
  DONE: 6,
  /** producer -> consumer: the checksum of one block it filled (see the frame above). */
  SUM: 7,
} as const;

const FRAME = 16;
const HUNGRY = 1;

export class RingChannel {
  /** Peer progress, as last reported. */
  filled = 0;
  freed = 0;
  eofBytes: number | undefined;
  doneBytes: number | undefined;
  ready = false;
  /** The peer said it waits for us: hand over at the next step instead of batching. */
  peerHungry = false;
  /** Set by the owner once it has all it needs from the peer: the peer's going away is then no failure. */
  finished = false;
  closed = false;
  /** The peer sent ERROR. */
  peerError = false;

  private rest: Buffer = Buffer.alloc(0);
  /** Checksums received and not taken yet, by block number. */
  private readonly sums = new Map<number, SlotSum>();
  /** Set: SUM frames from the peer go here instead of being kept for takeSum (a restore's producer hears of a mismatch). */
  onSum: ((block: number, actual: SlotSum) => void) | undefined;
  /** SUM frames waiting to go out with the next message (one write for a batch of blocks). */
  private queued: Buffer[] = [];
  private waiter: (() => void) | undefined;

  constructor(
    private readonly sock: Duplex,
    private readonly stop: Stop,
    private readonly onPeerLost: () => OpenbpError,
    private readonly slotSize: number,
  ) {
    sock.on('data', (chunk: Buffer) => this.receive(chunk));
    const gone = (): void => this.lost();
    sock.on('end', gone);
    sock.on('close', gone);
    sock.on('error', gone);
    stop.onStop(() => this.wake());
  }

  send(type: number, value: number, hungry = false): void {
    if (this.closed) return;
    const b = Buffer.allocUnsafe(FRAME);
    b.fill(0, 0, 8);
    b[0] = type;
    b[1] = hungry ? HUNGRY : 0;
    b.writeDoubleLE(value, 8);
    if (this.queued.length === 0) {
      this.sock.write(b);
      return;
    }
    this.queued.push(b);
    this.sock.write(Buffer.concat(this.queued));
    this.queued = [];
  }

  /** Queues the checksum of block `block` (0-based); it goes out with the FILLED that covers it. */
  sendSum(block: number, s: SlotSum): void {
    if (this.closed) return;
    const b = Buffer.allocUnsafe(FRAME);
    b[0] = MSG.SUM;
    b[1] = SUM_CODE[s.sum];
    b.writeUIntLE(block, 2, 6);
    writeChecksum(b, 8, s.checksum);
    this.queued.push(b);
  }

  /** The checksum the producer sent for block `block`, once (undefined when it sent none). */
  takeSum(block: number): SlotSum | undefined {
    const s = this.sums.get(block);
    if (s !== undefined) this.sums.delete(block);
    return s;
  }

  /** Sends a message and resolves once it is handed to the kernel (before the process may exit). */
  sendFlushed(type: number, value: number): Promise<void> {
    if (this.closed) return Promise.resolve();
    this.send(type, value);
    return new Promise((resolve) => {
      const t = setTimeout(resolve, 1000);
      this.sock.write(Buffer.alloc(0), () => {
        clearTimeout(t);
        resolve();
      });
    });
  }

  /** Resolves at the next message, at the peer's disappearance or when the job stops. */
  changed(): Promise<void> {
    return new Promise((resolve) => {
      const prev = this.waiter;
      this.waiter = () => {
        prev?.();
        resolve();
      };
    });
  }

  /** Waits until cond() holds; throws the job's failure if it stops first. */
  async until(cond: () => boolean): Promise<void> {
    for (;;) {
      this.stop.check();
      if (cond()) return;
      await this.changed();
    }
  }

  /**
   * After this side sent ERROR: resolves once the peer has stopped too (its ERROR came, or it went away), or after
   * `ms`. A process that exits at once after its ERROR can make the peer's next write fail with EPIPE, and Node then
   * drops what the peer had not read yet (the ERROR, and the SUM before it naming a damaged block).
   */
  async peerStopped(ms: number): Promise<void> {
    let late = false;
    const timer = setTimeout(() => {
      late = true;
      this.wake();
    }, ms);
    try {
      while (!this.peerError && !this.closed && !late) await this.changed();
    } finally {
      clearTimeout(timer);
    }
  }

  close(): void {
    this.closed = true;
    this.sock.destroy();
  }

  private receive(chunk: Buffer): void {
    const buf = this.rest.length > 0 ? Buffer.concat([this.rest, chunk]) : chunk;
    let off = 0;
    for (; off + FRAME <= buf.length; off += FRAME) {
      if (buf[off] === MSG.SUM) {
        const block = buf.readUIntLE(off + 2, 6);
        const sum = sumOfCode(buf[off + 1]!);
        const s: SlotSum | undefined = sum && { checksum: buf.toString('hex', off + 8, off + 16), sum };
        if (s === undefined) this.stop.trigger(new OpenbpError('MEDIA_READ_ERROR', `ring block ${block}: SUM of unknown hash ${buf[off + 1]}`));
        else if (this.onSum) this.onSum(block, s);
        else this.sums.set(block, s);
      }
      else this.apply(buf[off]!, (buf[off + 1]! & HUNGRY) !== 0, buf.readDoubleLE(off + 8));
    }
    this.rest = off < buf.length ? Buffer.from(buf.subarray(off)) : Buffer.alloc(0);
    this.wake();
  }

  private apply(type: number, hungry: boolean, value: number): void {
    switch (type) {
      case MSG.READY:
        this.ready = true;
        break;
      case MSG.FILLED:
        this.filled = Math.max(this.filled, value);
        this.peerHungry = hungry;
        break;
      case MSG.EOF:
        this.eofBytes = value;
        this.filled = Math.ceil(value / this.slotSize);
        break;
      case MSG.FREED:
        this.freed = Math.max(this.freed, value);
        this.peerHungry = hungry;
        break;
      case MSG.ERROR:
        this.peerError = true;
        this.stop.trigger(peerFailed(value));
        break;
      case MSG.DONE:
        this.doneBytes = value;
        break;
      default:
        break;
    }
  }

  private lost(): void {
    if (this.closed) return;
    this.closed = true;
    if (!this.finished && this.doneBytes === undefined) this.stop.trigger(this.onPeerLost());
    this.wake();
  }

  private wake(): void {
    const w = this.waiter;
    this.waiter = undefined;
    w?.();
  }
}
