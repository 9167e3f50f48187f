// Offline views of a cartridge: one line per logical object (dump), and a tape file's payload as bytes (cat).

import zlib from 'node:zlib';
import { Cartridge } from './cartridge.js';
import { MARK_BYTES, recordSpan } from './simh-format.js';
import { TapeError, isTapeError } from './tape-error.js';
import { VirtualDrive } from './virtual-drive.js';
import { MAX_RECORD } from './simh-format.js';

export const BP_HEADER_MAGIC = 'ThIs Is A BP tApE hEaDer';
/** Offset of the NetBackup magic in a media header (octal 0160). */
export const BP_HEADER_OFFSET = 0o160;

export interface DumpEntry {
  readonly obj: number;
  readonly file: number;
  readonly blk: number;
  readonly offset: number;
  /** 0 for a filemark. */
  readonly len: number;
  readonly mark: boolean;
  readonly crc32: number | null;
  readonly head: string;
  readonly flags: readonly string[];
}

function ascii(b: Uint8Array): string {
  return Array.from(b, (c) => (c >= 0x20 && c < 0x7f ? String.fromCharCode(c) : '.')).join('');
}

/** Flags a record as a NetBackup-style label: `VOL1` at byte 0, the BP magic at 0x70; `ERROR` for bad records. */
export function recordFlags(data: Uint8Array, error = false): string[] {
  const f: string[] = [];
  const b = Buffer.from(data.buffer, data.byteOffset, data.length);
  if (b.subarray(0, 4).toString('latin1') === 'VOL1') f.push('VOL1');
  if (b.subarray(BP_HEADER_OFFSET, BP_HEADER_OFFSET + BP_HEADER_MAGIC.length).toString('latin1') === BP_HEADER_MAGIC) f.push(BP_HEADER_MAGIC);
  if (error) f.push('ERROR');
  return f;
}

/** Walks every object of a cartridge (locks it; recovers a crashed one as a load would). */
export async function* dumpCartridge(tapPath: string): AsyncGenerator<DumpEntry, { objects: number; size: number }> {
  const c = await Cartridge.open(tapPath);
  try {
    let off = 0;
    let file = 0;
    let blk = 0;
    for (let obj = 0; obj < c.objects; obj++) {
      const o = await c.objectAt(off);
      if (!o || o.kind === 'invalid') throw new TapeError('EIO', `corrupt object ${obj} at offset ${off}`);
      if (o.kind === 'mark') {
        yield { obj, file, blk, offset: off, len: 0, mark: true, crc32: null, head: '', flags: ['FILEMARK'] };
        off += MARK_BYTES;
        file++;
        blk = 0;
        continue;
      }
      const data = await c.recordData(off, o.length);
      yield { obj, file, blk, offset: off, len: o.length, mark: false, crc32: zlib.crc32(data), head: ascii(data.subarray(0, 16)), flags: recordFlags(data, o.error) };
      off += recordSpan(o.length);
      blk++;
    }
    return { objects: c.objects, size: c.size };
  } finally {
    await c.close();
  }
}

export function formatDumpEntry(e: DumpEntry): string {
  const crc = e.crc32 === null ? '--------' : e.crc32.toString(16).padStart(8, '0');
  const head = e.mark ? '*' : `|${e.head}|`;
  return `${String(e.obj).padStart(7)} ${String(e.file).padStart(5)} ${String(e.blk).padStart(7)} ${String(e.offset).padStart(12)} ${String(e.len).padStart(8)} ${crc} ${head.padEnd(18)} ${e.flags.join(',')}`.trimEnd();
}

export const DUMP_HEADER = '#   obj  file     blk       offset      len crc32    first-16-bytes     flags';

/**
 * Streams the payload of tape file `file` (0 = BOT), skipping its first `skipRecords` records, through the
 * emulated st layer: rewind, fsf N, fsr K, read records until the filemark. Stops quietly at end of data.
 */
export async function* catTapeFile(tapPath: string, file: number, skipRecords = 0): AsyncGenerator<Uint8Array> {
  const drive = new VirtualDrive('vtl:cat', tapPath);
  const h = await drive.open({ rewindOnClose: true, write: false });
  try {
    if (file > 0) await h.spaceFiles(file).catch((e: unknown) => {
      if (isTapeError(e, 'EIO')) throw new TapeError('EIO', `tape file ${file} does not exist`);
      throw e;
    });
    if (skipRecords > 0) await h.spaceRecords(skipRecords);
    for (;;) {
      let b: Uint8Array;
      try {
        b = await h.readBlock(MAX_RECORD);
      } catch (e) {
        if (isTapeError(e, 'EIO') && (await h.status()).flags.eod) return;
        throw e;
      }
      if (b.length === 0) return;
      yield b;
    }
  } finally {
    await h.close();
  }
}
