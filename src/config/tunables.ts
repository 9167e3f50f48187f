// NetBackup's buffer tunables, read from db/config at each job start (no restart needed).

import fs from 'node:fs';
import path from 'node:path';
import type { Home } from './home.js';

export interface BufferTunables {
  readonly numberOfBuffers: number;
  readonly bufferSize: number;
}

/** NUMBER_DATA_BUFFERS and SIZE_DATA_BUFFERS[_DISK] defaults (NetBackup: 30 buffers; 256 KiB to disk). */
export const DISK_DEFAULTS: BufferTunables = { numberOfBuffers: 30, bufferSize: 256 * 1024 };
/**
 * NUMBER_DATA_BUFFERS_DISK default, when neither it nor NUMBER_DATA_BUFFERS is set: a backup to disk writes runs
 * of up to 4 MiB past the page cache while the child fills the rest of the ring, and 30 x 256 KiB left it too
 * little room to ride out the disk's pauses (3.2 GB of large files, six alternating rounds: median 2.71 s
 * against 3.04 s with 30; 32 MiB of shared memory a job).
 */
export const DISK_BACKUP_BUFFERS = 128;
/**
 * NUMBER_DATA_BUFFERS_RESTORE default, when neither it nor NUMBER_DATA_BUFFERS is set: the child hands the pipe a
 * quarter of the ring at a time and frees those slots only once the reader has them, so 30 left the parent waiting
 * (3.2 GB of large files, eight alternating rounds: median 2.64 s against 2.94 s with 30, each round faster; 16 MiB
 * of shared memory a job).
 */
export const RESTORE_BUFFERS = 64;
/** SIZE_DATA_BUFFERS default for tape (NetBackup: 64 KiB); capped below the 16 MiB SIMH record limit. */
export const TAPE_BUFFER_SIZE = 64 * 1024;

function readNumber(file: string): number | undefined {
  try {
    const n = Number.parseInt(fs.readFileSync(file, 'utf8').trim(), 10);
    return Number.isFinite(n) && n > 0 ? n : undefined;
  } catch {
    return undefined;
  }
}

/**
 * NUMBER_DATA_BUFFERS[_DISK|_RESTORE] and SIZE_DATA_BUFFERS[_DISK]: the specific file wins over the
 * general one; sizes are rounded down to a multiple of 1024, as NetBackup does.
 */
export function readBufferTunables(home: Home, kind: 'disk' | 'restore' | 'tape'): BufferTunables {
  const dir = home.config;
  if (kind === 'tape') {
    // Tape reads the general files only, with NetBackup's tape default of 64 KiB buffers.
    const n = readNumber(path.join(dir, 'NUMBER_DATA_BUFFERS')) ?? DISK_DEFAULTS.numberOfBuffers;
    const sz = readNumber(path.join(dir, 'SIZE_DATA_BUFFERS')) ?? TAPE_BUFFER_SIZE;
    return { numberOfBuffers: Math.min(Math.max(n, 2), 1024), bufferSize: Math.min(Math.max(1024, Math.floor(sz / 1024) * 1024), 16 * 1024 * 1024 - 1024) };
  }
  const suffix = kind === 'disk' ? '_DISK' : '_RESTORE';
  const number =
    readNumber(path.join(dir, `NUMBER_DATA_BUFFERS${suffix}`)) ??
    readNumber(path.join(dir, 'NUMBER_DATA_BUFFERS')) ??
    (kind === 'disk' ? DISK_BACKUP_BUFFERS : RESTORE_BUFFERS);
  const size = readNumber(path.join(dir, 'SIZE_DATA_BUFFERS_DISK')) ?? readNumber(path.join(dir, 'SIZE_DATA_BUFFERS')) ?? DISK_DEFAULTS.bufferSize;
  const rounded = Math.max(1024, Math.floor(size / 1024) * 1024);
  return { numberOfBuffers: Math.min(Math.max(number, 2), 1024), bufferSize: Math.min(rounded, 64 * 1024 * 1024) };
}
