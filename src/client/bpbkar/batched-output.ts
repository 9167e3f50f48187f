// Stages the stream in a few-MiB buffer so the pipe sees >= 1 MiB writes; honours backpressure on the sink.

import type { Writable } from 'node:stream';

export const STAGING_BYTES = 4 * 1024 * 1024;

export class BatchedOutput {
  private buf: Buffer;
  private spare: Buffer | undefined;
  private used = 0;
  private flushed = 0;
  private failure: Error | undefined;
  /** Chunks handed to the sink whose write has not completed yet, and who waits for none to be left. */
  private inFlight = 0;
  private settled: (() => void) | undefined;

  constructor(
    private readonly sink: Writable,
    private readonly capacity = STAGING_BYTES,
  ) {
    this.buf = Buffer.allocUnsafe(capacity);
    sink.on('error', (e: Error) => {
      this.failure ??= e;
    });
  }

  /** Stream offset of the next byte (flushed + staged). */
  get offset(): number {
    return this.flushed + this.used;
  }

  /** True when n more bytes fit in the staging buffer without a flush. */
  fits(n: number): boolean {
    return this.used + n <= this.capacity;
  }

  /** The largest reservation allowed. */
  get maxReservation(): number {
    return this.capacity;
  }

  /** Reserves n bytes (caller checked fits()); returns the buffer and position to fill. */
  reserve(n: number): { buf: Buffer; pos: number } {
    if (!this.fits(n)) throw new RangeError(`staging overflow: ${n} bytes`);
    const pos = this.used;
    this.used += n;
    return { buf: this.buf, pos };
  }

  /** Gives back the last reserved bytes (an entry that could not be read after all). */
  rollbackTo(offset: number): void {
    const used = offset - this.flushed;
    if (used < 0 || used > this.used) throw new RangeError('cannot roll back flushed bytes');
    this.used = used;
  }

  /** Copies bytes into the staging buffer, flushing as needed. */
  async push(bytes: Buffer): Promise<void> {
    let off = 0;
    while (off < bytes.length) {
      if (this.used === this.capacity) await this.flush();
      const n = Math.min(bytes.length - off, this.capacity - this.used);
      bytes.copy(this.buf, this.used, off, off + n);
      this.used += n;
      off += n;
    }
  }

  /** Writes what is staged; resolves once the sink accepts more (drain), rejects if the sink failed. */
  async flush(): Promise<void> {
    if (this.failure) throw this.failure;
    if (this.used === 0) return;
    const chunk = this.buf.subarray(0, this.used);
    // The sink keeps the chunk until it is written; its buffer is reused from then on (two in turn,
    // not a fresh 4 MiB per flush for the collector to find).
    const full = this.buf;
    this.buf = this.spare ?? Buffer.allocUnsafe(this.capacity);
    this.spare = undefined;
    this.flushed += this.used;
    this.used = 0;
    this.inFlight++;
    const accepted = this.sink.write(chunk, (err) => {
      if (!err) this.spare = full;
      if (--this.inFlight === 0) this.settled?.();
    });
    if (!accepted) await this.waitDrain();
    if (this.failure) throw this.failure;
  }

  /**
   * Flushes and waits until the sink has written every byte handed to it (not just accepted it): from then on
   * bytes may go to the descriptor behind the sink directly (wroteDirectly), in stream order.
   */
  async settle(): Promise<void> {
    await this.flush();
    while (this.inFlight > 0 && !this.failure) {
      await new Promise<void>((resolve) => {
        const done = () => {
          this.sink.off('error', done);
          this.settled = undefined;
          resolve();
        };
        this.settled = done;
        this.sink.on('error', done);
      });
    }
    if (this.failure) throw this.failure;
  }

  /**
   * settle() without waiting, when no write to the sink is under way: the staged bytes are handed to `write`
   * (which puts them on the sink's descriptor) and counted as flushed. False when something is in flight (settle()
   * then). Spares a small file whose body is spliced the event-loop round trip of a sink write.
   */
  settleThrough(write: (buf: Buffer, length: number) => void): boolean {
    if (this.inFlight > 0) return false;
    if (this.failure) throw this.failure;
    if (this.used > 0) write(this.buf, this.used);
    this.flushed += this.used;
    this.used = 0;
    return true;
  }

  /** Counts n bytes written to the sink's descriptor by someone else, after settle() and before any new staging. */
  wroteDirectly(n: number): void {
    if (this.used !== 0) throw new RangeError('bytes are staged: settle() first');
    this.flushed += n;
  }

  private waitDrain(): Promise<void> {
    return new Promise((resolve) => {
      const done = () => {
        this.sink.off('drain', done);
        this.sink.off('error', done);
        this.sink.off('close', done);
        resolve();
      };
      this.sink.on('drain', done);
      this.sink.on('error', done);
      this.sink.on('close', done);
    });
  }
}
