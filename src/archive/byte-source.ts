// Pull-style reading of exact byte counts from an async chunk stream (stdin, a file stream, an array); a pipe's
// next bytes can also go straight to a file descriptor (MovableInput).

export class UnexpectedEofError extends Error {
  constructor(message = 'unexpected end of archive') {
    super(message);
    this.name = 'UnexpectedEofError';
  }
}

/**
 * An input that can hand its next bytes straight to a file descriptor without them passing through JS (a pipe,
 * with splice(2)). Only the bytes it has not yielded as chunks yet are moved.
 */
export interface MovableInput {
  /** False when moveTo cannot be used (the input is no pipe, or reads ahead into a buffer of its own). */
  readonly movable: boolean;
  /**
   * Moves up to n of the input's next bytes into outFd at its file position; resolves with the count moved (fewer
   * than n is normal; 0 at the end of input), or null when this output cannot take them that way (movable is false
   * from then on: read instead). Rejects when writing to outFd fails, having moved nothing.
   */
  moveTo(outFd: number, n: number): Promise<number | null>;
}

function isMovable(source: unknown): source is MovableInput {
  return typeof (source as Partial<MovableInput>).moveTo === 'function';
}

export class ByteSource {
  private readonly it: AsyncIterator<Buffer | string>;
  private readonly input: MovableInput | undefined;
  private cur: Buffer = Buffer.alloc(0);
  private pos = 0;
  private ended = false;
  /** Bytes handed out so far (the stream offset of the next byte). */
  consumed = 0;

  constructor(source: AsyncIterable<Buffer | string>) {
    this.it = source[Symbol.asyncIterator]();
    this.input = isMovable(source) ? source : undefined;
  }

  /** True when the input can move bytes itself (moveTo), once those buffered here are taken. */
  get inputMovable(): boolean {
    return this.input !== undefined && this.input.movable;
  }

  /** True when nothing is buffered here and the input can move its next bytes itself (moveTo). */
  get movable(): boolean {
    return this.pos >= this.cur.length && this.inputMovable;
  }

  /** Makes sure unread bytes are buffered; false at end of stream. */
  private async fill(): Promise<boolean> {
    while (this.pos >= this.cur.length) {
      if (this.ended) return false;
      const r = await this.it.next();
      if (r.done) {
        this.ended = true;
        return false;
      }
      this.cur = typeof r.value === 'string' ? Buffer.from(r.value, 'latin1') : r.value;
      this.pos = 0;
    }
    return true;
  }

  /** Exactly n bytes, or null when the stream ends before the first byte; throws on a partial read. */
  async readExact(n: number): Promise<Buffer | null> {
    if (!(await this.fill())) return null;
    if (this.cur.length - this.pos >= n) {
      const b = this.cur.subarray(this.pos, this.pos + n);
      this.pos += n;
      this.consumed += n;
      return b;
    }
    const out = Buffer.allocUnsafe(n);
    let got = 0;
    while (got < n) {
      if (!(await this.fill())) throw new UnexpectedEofError();
      const take = Math.min(n - got, this.cur.length - this.pos);
      this.cur.copy(out, got, this.pos, this.pos + take);
      this.pos += take;
      got += take;
    }
    this.consumed += n;
    return out;
  }

  /**
   * Exactly n bytes when all of them are buffered already (a slice valid until the next pull), else null and nothing
   * taken (readExact then). Spares the common case a promise: nbtar takes several such pieces for each file.
   */
  takeBuffered(n: number): Buffer | null {
    if (this.cur.length - this.pos < n) return null;
    const b = this.cur.subarray(this.pos, this.pos + n);
    this.pos += n;
    this.consumed += n;
    return b;
  }

  /** Yields n bytes as slices of the underlying chunks (valid until the next pull). */
  async *take(n: number): AsyncGenerator<Buffer> {
    let left = n;
    while (left > 0) {
      if (!(await this.fill())) throw new UnexpectedEofError();
      const take = Math.min(left, this.cur.length - this.pos);
      const b = this.cur.subarray(this.pos, this.pos + take);
      this.pos += take;
      this.consumed += take;
      left -= take;
      yield b;
    }
  }

  /** Up to n bytes (at least 1), read first if none is buffered; a slice valid until the next pull. */
  async takeSome(n: number): Promise<Buffer> {
    if (!(await this.fill())) throw new UnexpectedEofError();
    const take = Math.min(n, this.cur.length - this.pos);
    const b = this.cur.subarray(this.pos, this.pos + take);
    this.pos += take;
    this.consumed += take;
    return b;
  }

  /**
   * Moves up to n next bytes straight from the input into outFd (only when `movable`); resolves with the count,
   * or 0 when the input cannot do it after all (read them instead). Throws UnexpectedEofError at the end of input.
   */
  async moveTo(outFd: number, n: number): Promise<number> {
    if (!this.movable) return 0;
    const moved = await this.input!.moveTo(outFd, n);
    if (moved === null) return 0;
    if (moved === 0) {
      this.ended = true;
      throw new UnexpectedEofError();
    }
    this.consumed += moved;
    return moved;
  }

  /** Discards n bytes (no generator: every entry's padding goes through here). */
  async skip(n: number): Promise<void> {
    for (let left = n; left > 0; ) left -= (await this.takeSome(left)).length;
  }

  /** Reads and discards everything left (so the writer on the other end of a pipe does not get EPIPE). */
  async drain(): Promise<void> {
    while (await this.fill()) {
      this.consumed += this.cur.length - this.pos;
      this.pos = this.cur.length;
    }
  }
}
