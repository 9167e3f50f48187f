// Writes past the page cache (O_DIRECT) for the page-aligned part of a run of blocks; the rest goes through it.

import fs from 'node:fs';
import { sys } from '../../native/sys.js';
import { errnoOf } from './io-errors.js';
import { unwrittenAfter } from '../short-writes.js';

/** What O_DIRECT asks of the memory address, the length and the file offset (the page size covers every common disk). */
export const DIRECT_ALIGN = 4096;

/** How many of the leading blocks one O_DIRECT write at `position` can take (0 when the position is not aligned). */
export function alignedPrefix(blocks: readonly Uint8Array[], position: number): number {
  if (position % DIRECT_ALIGN !== 0) return 0;
  let n = 0;
  while (n < blocks.length && blocks[n]!.length > 0 && sys().alignedTo(blocks[n]!, DIRECT_ALIGN)) n++;
  return n;
}

/**
 * Opens an existing file for O_DIRECT writes; undefined when the file system refuses direct I/O (EINVAL), so
 * that the caller writes through the page cache instead. Other errors throw.
 */
export function openDirect(file: string): number | undefined {
  const { O_WRONLY, O_DIRECT } = fs.constants;
  try {
    // (libuv adds O_CLOEXEC itself)
    return fs.openSync(file, O_WRONLY | O_DIRECT);
  } catch (e) {
    if (errnoOf(e) === 'EINVAL') return undefined;
    throw e;
  }
}

/** Writes all the blocks at `position` (pwritev; a short write is continued block by block); returns the bytes. */
export function writeAllAt(fd: number, blocks: readonly Uint8Array[], position: number): number {
  let total = 0;
  for (const b of blocks) total += b.length;
  let done = fs.writevSync(fd, blocks as Uint8Array[], position);
  for (let i = 0, start = 0; done < total && i < blocks.length; start += blocks[i]!.length, i++) {
    const b = blocks[i]!;
    let off = Math.max(0, done - start);
    while (off < b.length) {
      const n = fs.writeSync(fd, b, off, b.length - off, position + done);
      off += n;
      done += n;
    }
  }
  return total;
}

/** writeAllAt on the libuv thread pool: the caller's thread is free while the device takes the bytes. */
export async function writeAllAtAsync(fd: number, blocks: readonly Uint8Array[], position: number): Promise<number> {
  let total = 0;
  for (const b of blocks) total += b.length;
  const done = await new Promise<number>((resolve, reject) => fs.writev(fd, blocks as Uint8Array[], position, (e, n) => (e ? reject(e) : resolve(n))));
  // A short write (rare): the rest synchronously, from where it stopped.
  if (done < total) writeAllAt(fd, unwrittenAfter(blocks, done), position + done);
  return total;
}
