// Little binary helpers for the .f file: a growable byte sink and a cursor, LEB128 varints, zigzag.

/** Appends bytes to a growable buffer. */
export class ByteSink {
  buf: Buffer;
  len = 0;
  constructor(initial = 1 << 16) {
    this.buf = Buffer.allocUnsafe(initial);
  }
  private ensure(n: number): void {
    if (this.len + n <= this.buf.length) return;
    let size = this.buf.length * 2;
    while (size < this.len + n) size *= 2;
    const next = Buffer.allocUnsafe(size);
    this.buf.copy(next, 0, 0, this.len);
    this.buf = next;
  }
  byte(b: number): void {
    this.ensure(1);
    this.buf[this.len++] = b;
  }
  /** Unsigned varint of a non-negative integer up to 2^53 (exact: only power-of-two arithmetic). */
  uvar(n: number): void {
    this.ensure(8);
    while (n >= 128) {
      this.buf[this.len++] = (n % 128) | 0x80;
      n = Math.floor(n / 128);
    }
    this.buf[this.len++] = n;
  }
  /** Signed varint (zigzag) of an integer. */
  svar(n: number): void {
    if (Math.abs(n) < 2 ** 51) this.uvar(n >= 0 ? n * 2 : -n * 2 - 1);
    else this.sbig(BigInt(n));
  }
  /** Signed varint (zigzag) of a bigint. */
  sbig(n: bigint): void {
    let z = n >= 0n ? n << 1n : (-n << 1n) - 1n;
    this.ensure(12);
    while (z >= 128n) {
      this.buf[this.len++] = Number(z & 127n) | 0x80;
      z >>= 7n;
    }
    this.buf[this.len++] = Number(z);
  }
  /** A byte string (latin1: one char per byte), length-prefixed. */
  bytes(s: string): void {
    const n = s.length;
    this.uvar(n);
    if (n === 0) return;
    this.ensure(n);
    if (n > 48) {
      this.len += this.buf.write(s, this.len, n, 'latin1');
      return;
    }
    // Short strings (most names and path suffixes): a loop costs less than a call into Buffer's writer.
    const b = this.buf;
    let at = this.len;
    for (let i = 0; i < n; i++) b[at++] = s.charCodeAt(i);
    this.len = at;
  }
  raw(b: Buffer): void {
    this.ensure(b.length);
    b.copy(this.buf, this.len);
    this.len += b.length;
  }
  take(): Buffer {
    return this.buf.subarray(0, this.len);
  }
  reset(): void {
    this.len = 0;
  }
}

export class FormatError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'FormatError';
  }
}

/** Reads what ByteSink wrote. */
export class Cursor {
  pos: number;
  constructor(readonly buf: Buffer, pos = 0, readonly end = buf.length) {
    this.pos = pos;
  }
  get done(): boolean {
    return this.pos >= this.end;
  }
  byte(): number {
    if (this.pos >= this.end) throw new FormatError('truncated record');
    return this.buf[this.pos++]!;
  }
  uvar(): number {
    let n = 0;
    let mul = 1;
    for (;;) {
      const b = this.byte();
      n += (b & 0x7f) * mul;
      if (b < 0x80) return n;
      mul *= 128;
      if (mul > 2 ** 63) throw new FormatError('varint too long');
    }
  }
  svar(): number {
    const start = this.pos;
    const z = this.uvar();
    if (this.pos - start > 7) {
      this.pos = start;
      return Number(this.sbig());
    }
    return z % 2 === 0 ? z / 2 : -(z + 1) / 2;
  }
  sbig(): bigint {
    let z = 0n;
    let shift = 0n;
    for (;;) {
      const b = this.byte();
      z |= BigInt(b & 0x7f) << shift;
      if (b < 0x80) break;
      shift += 7n;
      if (shift > 140n) throw new FormatError('varint too long');
    }
    return (z & 1n) === 0n ? z >> 1n : -((z + 1n) >> 1n);
  }
  bytes(): string {
    const n = this.uvar();
    if (n === 0) return '';
    if (this.pos + n > this.end) throw new FormatError('truncated string');
    const s = this.buf.toString('latin1', this.pos, this.pos + n);
    this.pos += n;
    return s;
  }
}
