// Maps what the file system says to the NetBackup status a disk storage unit reports.

import fs from 'node:fs';
import { OpenbpError } from '../../protocol/errors.js';
import type { StatusCode } from '../../protocol/status.js';

export function errnoOf(e: unknown): string | undefined {
  return (e as NodeJS.ErrnoException | null)?.code;
}

/** True for "no space left": ENOSPC, or EDQUOT (quota), which the unit treats alike. */
export function isNoSpace(e: unknown): boolean {
  const code = errnoOf(e);
  return code === 'ENOSPC' || code === 'EDQUOT';
}

/** A write-side failure: 129 when the unit is full, else `fallback` (84 media write error by default). */
export function writeFailure(e: unknown, what: string, fallback: StatusCode = 'MEDIA_WRITE_ERROR'): OpenbpError {
  if (e instanceof OpenbpError) return e;
  const msg = `${what}: ${e instanceof Error ? e.message : String(e)}`;
  return new OpenbpError(isNoSpace(e) ? 'DISK_STU_FULL' : fallback, msg, { cause: e });
}

export function readFailure(what: string, cause?: unknown, code: StatusCode = 'MEDIA_READ_ERROR'): OpenbpError {
  const detail = cause instanceof Error ? `: ${cause.message}` : '';
  return new OpenbpError(code, `${what}${detail}`, cause !== undefined ? { cause } : {});
}

/** fsync of a directory, so that names created or removed in it survive a crash. */
export function syncDirectory(dir: string): void {
  const fd = fs.openSync(dir, 'r');
  try {
    fs.fsyncSync(fd);
  } finally {
    fs.closeSync(fd);
  }
}
