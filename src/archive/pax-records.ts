// Pax extended header records ("%d key=value\n"): values are raw bytes, so non-UTF-8 names survive (hdrcharset=BINARY).

import { isUtf8 } from 'node:buffer';

export type PaxRecords = Map<string, Buffer>;

export class PaxFormatError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'PaxFormatError';
  }
}

/** Encodes records in order; keys are ASCII, values raw bytes. */
export function encodePaxRecords(records: Iterable<readonly [string, Buffer]>): Buffer {
  const parts: Buffer[] = [];
  for (const [key, value] of records) {
    const body = key.length + 1 + value.length + 1; // "key=" + value + "\n"
    let len = body + 2; // at least one digit + space
    while (String(len).length + 1 + body !== len) len = String(len).length + 1 + body;
    parts.push(Buffer.from(`${len} ${key}=`, 'latin1'), value, Buffer.from('\n', 'latin1'));
  }
  return Buffer.concat(parts);
}

/** Decodes a pax header body; later records override earlier ones. Throws PaxFormatError on malformed input. */
export function decodePaxRecords(buf: Buffer): PaxRecords {
  const out: PaxRecords = new Map();
  let pos = 0;
  while (pos < buf.length) {
    if (buf[pos] === 0) break; // trailing NUL padding written by some tools
    let sp = pos;
    while (sp < buf.length && buf[sp] !== 0x20) sp++;
    const lenText = buf.toString('latin1', pos, sp);
    if (!/^[0-9]+$/.test(lenText)) throw new PaxFormatError(`bad pax record length '${lenText}'`);
    const len = Number(lenText);
    const end = pos + len;
    if (len < 5 || end > buf.length || buf[end - 1] !== 0x0a) throw new PaxFormatError('pax record overruns its header');
    const eq = buf.indexOf(0x3d, sp + 1);
    if (eq < 0 || eq >= end) throw new PaxFormatError('pax record without =');
    const key = buf.toString('utf8', sp + 1, eq);
    out.set(key, Buffer.from(buf.subarray(eq + 1, end - 1)));
    pos = end;
  }
  return out;
}

export function isValidUtf8(b: Buffer): boolean {
  return isUtf8(b);
}

/** Formats nanoseconds since the epoch as a pax time: "sec" or "sec.nnnnnnnnn" (full 9 digits when ns != 0). */
export function formatPaxTime(ns: bigint): string {
  const negative = ns < 0n;
  const abs = negative ? -ns : ns;
  const sec = abs / 1_000_000_000n;
  const frac = abs % 1_000_000_000n;
  const text = frac === 0n ? `${sec}` : `${sec}.${frac.toString().padStart(9, '0')}`;
  return negative ? `-${text}` : text;
}

/** Parses a pax time ("-?sec[.frac]") into nanoseconds; digits past 9 are truncated. */
export function parsePaxTime(text: string): bigint {
  const m = /^(-?)([0-9]+)(?:\.([0-9]*))?$/.exec(text.trim());
  if (!m) throw new PaxFormatError(`bad pax time '${text}'`);
  const frac = (m[3] ?? '').slice(0, 9).padEnd(9, '0');
  const abs = BigInt(m[2]!) * 1_000_000_000n + BigInt(frac);
  return m[1] ? -abs : abs;
}
