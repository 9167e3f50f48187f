// Pull-style reading of exact byte counts from an async chunk stream (stdin, a file stream, an array).

export class UnexpectedEofError extends Error {
  constructor(message = 'unexpected end of archive') {
    super(message);
    this.name = 'UnexpectedEofError';
  }
}

export class ByteSource {
  private readonly it: AsyncIterator<Buffer | string>;
  private cur: Buffer = Buffer.alloc(0);
  private pos = 0;
  private ended = false;
  /** Bytes handed out so far (the stream offset of the next byte). */
  consumed = 0;

  constructor(source: AsyncIterable<Buffer | string>) {
    this.it = source[Symbol.asyncIterator]();
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

  async skip(n: number): Promise<void> {
    for await (const _ of this.take(n)) void _;
  }

  /** Reads and discards everything left (so the writer on the other end of a pipe does not get EPIPE). */
  async drain(): Promise<void> {
    while (await this.fill()) {
      this.consumed += this.cur.length - this.pos;
      this.pos = this.cur.length;
    }
  }
}
