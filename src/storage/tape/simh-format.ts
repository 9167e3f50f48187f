// SIMH standard magtape format: `u32le n | n bytes | pad to even | u32le n` per record, `u32le 0` per tape mark.
// Frozen on-media format: cartridges written today must stay readable; do not change these encodings.

export const TAPEMARK = 0x00000000;
/** Bit 31 of a record length word: the record carries an error (reads of it fail with EIO). */
export const ERROR_FLAG = 0x80000000;
/** Standard-format records hold lengths in bits 0-23. */
export const MAX_RECORD = 0xffffff;
export const MARK_BYTES = 4;

export type TapObject =
  | { readonly kind: 'mark' }
  | { readonly kind: 'record'; readonly length: number; readonly error: boolean }
  | { readonly kind: 'invalid'; readonly word: number };

/** Bytes a record of n data bytes occupies in the .tap file. */
export function recordSpan(n: number): number {
  return 8 + n + (n & 1);
}

export function decodeWord(word: number): TapObject {
  const w = word >>> 0;
  if (w === TAPEMARK) return { kind: 'mark' };
  const error = (w & ERROR_FLAG) !== 0;
  const rest = w & 0x7fffffff;
  if (rest > MAX_RECORD || rest === 0) return { kind: 'invalid', word: w };
  return { kind: 'record', length: rest, error };
}

/** Encodes one data record (header, data, pad, trailer) into a single buffer, for one write(). */
export function encodeRecord(data: Uint8Array, o: { error?: boolean } = {}): Buffer {
  const n = data.length;
  if (n < 1 || n > MAX_RECORD) throw new RangeError(`SIMH record length ${n} outside 1..${MAX_RECORD}`);
  const word = (n | (o.error ? ERROR_FLAG : 0)) >>> 0;
  const out = Buffer.alloc(recordSpan(n));
  out.writeUInt32LE(word, 0);
  out.set(data, 4);
  out.writeUInt32LE(word, out.length - 4);
  return out;
}

export function encodeMarks(count: number): Buffer {
  return Buffer.alloc(MARK_BYTES * count);
}
