// Helpers shared by the tape tests: deterministic records, errno assertions, temp directories.

import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { TapeHandle } from '../../../src/storage/tape/tape-device.js';
import { TapeError, type TapeErrno } from '../../../src/storage/tape/tape-error.js';

/** A record of `size` bytes whose content depends on `seed` (first bytes spell the seed). */
export function patternRecord(size: number, seed: number): Buffer {
  const b = Buffer.alloc(size);
  let x = (seed * 2654435761 + 12345) >>> 0;
  for (let i = 0; i < size; i++) {
    x = (x * 1103515245 + 12345) >>> 0;
    b[i] = x >>> 24;
  }
  const tag = Buffer.from(`rec${seed}:`);
  tag.copy(b, 0, 0, Math.min(tag.length, size));
  return b;
}

export async function errnoOf(p: Promise<unknown>): Promise<{ errno: TapeErrno | 'none'; residual?: number }> {
  try {
    await p;
    return { errno: 'none' };
  } catch (e) {
    if (e instanceof TapeError) return e.residual === undefined ? { errno: e.errno } : { errno: e.errno, residual: e.residual };
    throw e;
  }
}

export async function expectErrno(p: Promise<unknown>, errno: TapeErrno): Promise<void> {
  expect((await errnoOf(p)).errno).toBe(errno);
}

export async function tempDir(prefix = 'openbp-tape-'): Promise<string> {
  return fs.mkdtemp(path.join(os.tmpdir(), prefix));
}

/** Reads from the current position to end of data: records per file (a 0-read that shows EOD ends it). */
export async function scanFiles(h: TapeHandle, max = 2 * 1024 * 1024): Promise<number[]> {
  const files: number[] = [0];
  for (;;) {
    let b: Uint8Array;
    try {
      b = await h.readBlock(max);
    } catch (e) {
      if (e instanceof TapeError && e.errno === 'EIO') break;
      throw e;
    }
    if (b.length > 0) files[files.length - 1]!++;
    else if ((await h.status()).flags.eod) break;
    else files.push(0);
  }
  return files;
}
