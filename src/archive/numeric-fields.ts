// Numeric header fields: octal with a NUL terminator, and GNU base-256 for values octal cannot hold.

/** Largest value an octal field of `width` bytes holds (width - 1 digits). */
export function octalMax(width: number): number {
  return 8 ** (width - 1) - 1;
}

/** Writes `value` as zero-padded octal (width - 1 digits + NUL); returns false when it does not fit. */
export function writeOctal(buf: Buffer, off: number, width: number, value: number): boolean {
  if (!Number.isSafeInteger(value) || value < 0 || value > octalMax(width)) return false;
  const s = value.toString(8).padStart(width - 1, '0');
  buf.write(s, off, width - 1, 'latin1');
  buf[off + width - 1] = 0;
  return true;
}

/** Writes GNU base-256 (two's complement, first byte flagged 0x80 / 0xff). */
export function writeBase256(buf: Buffer, off: number, width: number, value: number | bigint): void {
  let v = BigInt(value);
  const negative = v < 0n;
  for (let i = width - 1; i >= 0; i--) {
    buf[off + i] = Number(v & 0xffn);
    v >>= 8n;
  }
  if (!negative) buf[off] = buf[off]! | 0x80;
}

/** Reads an octal (space/NUL terminated) or base-256 field; NaN when it is neither. */
export function readNumeric(buf: Buffer, off: number, width: number): number {
  const first = buf[off]!;
  if (first & 0x80) {
    let v = 0n;
    for (let i = 0; i < width; i++) v = (v << 8n) | BigInt(buf[off + i]!);
    if (first === 0xff) return Number(v - (1n << BigInt(width * 8)));
    return Number(v & ((1n << BigInt(width * 8 - 1)) - 1n));
  }
  let i = off;
  const end = off + width;
  while (i < end && (buf[i] === 0x20 || buf[i] === 0)) {
    if (buf[i] === 0 && i === off) return 0;
    i++;
  }
  let v = 0;
  let digits = 0;
  for (; i < end; i++) {
    const c = buf[i]!;
    if (c === 0 || c === 0x20) break;
    if (c < 0x30 || c > 0x37) return NaN;
    v = v * 8 + (c - 0x30);
    digits++;
  }
  return digits === 0 ? 0 : v;
}
