// PAX 1.0 sparse files (GNU tar --sparse --format=posix): the data segment map written at the start of the body.

import { BLOCK } from './tar-entry.js';

/** One run of data in a sparse file; everything between runs (and after the last) is a hole. */
export interface SparseSegment {
  offset: number;
  length: number;
}

export class SparseMapError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'PaxFormatError'; // a malformed map is a damaged stream, like a bad pax record
  }
}

/** A hostile map could promise millions of segments; more than this is refused. */
export const MAX_SEGMENTS = 1_000_000;

/** Bytes of data the segments hold (what the archive body carries after the map). */
export function sparseDataSize(segments: readonly SparseSegment[]): number {
  let n = 0;
  for (const s of segments) n += s.length;
  return n;
}

/**
 * The map as GNU tar writes it: count, then offset/length pairs, one decimal number per line, padded with NULs
 * to whole blocks. Like GNU tar, a zero-length segment at `realSize` ends the list.
 */
export function encodeSparseMap(segments: readonly SparseSegment[], realSize: number): Buffer {
  const all = [...segments];
  const last = all[all.length - 1];
  if (!last || last.offset !== realSize || last.length !== 0) all.push({ offset: realSize, length: 0 });
  const lines = [String(all.length), ...all.flatMap((s) => [String(s.offset), String(s.length)])];
  const text = Buffer.from(`${lines.join('\n')}\n`, 'latin1');
  const out = Buffer.alloc(Math.ceil(text.length / BLOCK) * BLOCK);
  text.copy(out);
  return out;
}

/**
 * Parses a map from the start of `buf` (whole blocks read so far). Returns null when more blocks are needed,
 * else the segments (zero-length ones dropped) and the map's length in bytes (a multiple of BLOCK).
 */
export function decodeSparseMap(buf: Buffer, realSize: number): { segments: SparseSegment[]; bytes: number } | null {
  const numbers: number[] = [];
  let pos = 0;
  let count = -1;
  while (count < 0 || numbers.length < 2 * count) {
    const nl = buf.indexOf(0x0a, pos);
    if (nl < 0) {
      if (buf.length - pos > 20) throw new SparseMapError('sparse map number too long');
      return null;
    }
    const t = buf.toString('latin1', pos, nl);
    if (!/^[0-9]{1,16}$/.test(t)) throw new SparseMapError(`bad sparse map number '${t}'`);
    const n = Number(t);
    if (!Number.isSafeInteger(n)) throw new SparseMapError('sparse map number out of range');
    pos = nl + 1;
    if (count < 0) {
      if (n > MAX_SEGMENTS) throw new SparseMapError(`sparse map of ${n} segments is too large`);
      count = n;
    } else numbers.push(n);
  }
  const segments: SparseSegment[] = [];
  let end = 0;
  for (let i = 0; i < numbers.length; i += 2) {
    const s = { offset: numbers[i]!, length: numbers[i + 1]! };
    if (s.offset < end || s.offset + s.length > realSize) throw new SparseMapError('sparse map segments overlap or pass the real size');
    end = s.offset + s.length;
    if (s.length > 0) segments.push(s);
  }
  return { segments, bytes: Math.ceil(pos / BLOCK) * BLOCK };
}

/** Segments from the addon's flattened [offset, length, ...] list. */
export function segmentsFromPairs(pairs: readonly number[]): SparseSegment[] {
  const out: SparseSegment[] = [];
  for (let i = 0; i + 1 < pairs.length; i += 2) out.push({ offset: pairs[i]!, length: pairs[i + 1]! });
  return out;
}

/** True when the segments leave at least one hole in a file of `size` bytes. */
export function hasHoles(segments: readonly SparseSegment[], size: number): boolean {
  return sparseDataSize(segments) < size;
}
