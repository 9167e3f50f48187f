// The buffer file both bptm processes share: openbp-bptm-<jobid>-<parentpid>.buf in /dev/shm.

import fs from 'node:fs';
import path from 'node:path';
import { OpenbpError } from '../../protocol/errors.js';
import { sys } from '../../native/sys.js';

export const DEFAULT_SHM_DIR = '/dev/shm';

const ZERO_CHUNK = 1024 * 1024;

/** The buffer file's name for a job and the pid of its bptm parent. */
export function shmFileName(jobid: number, pid: number): string {
  return `openbp-bptm-${jobid}-${pid}.buf`;
}

/**
 * Creates the buffer file (exclusively, mode 0600) with its pages reserved (fallocate; written through once where
 * the file system cannot): a full /dev/shm fails here (89), not in the middle of the job.
 */
export function createShmFile(dir: string, jobid: number, pid: number, size: number): { path: string; fd: number } {
  const p = path.join(dir, shmFileName(jobid, pid));
  let fd = -1;
  try {
    fd = fs.openSync(p, 'wx+', 0o600);
    if (sys().reserveFile(fd, size)) return { path: p, fd };
    const zeros = Buffer.alloc(Math.min(ZERO_CHUNK, size));
    for (let off = 0; off < size; ) off += fs.writeSync(fd, zeros, 0, Math.min(zeros.length, size - off), off);
    return { path: p, fd };
  } catch (e) {
    if (fd >= 0) {
      fs.closeSync(fd);
      removeShmFile(p);
    }
    throw new OpenbpError('SHM_SETUP_FAILED', `cannot create the ${size}-byte buffer file ${p}: ${(e as Error).message}`, { cause: e });
  }
}

/** Opens the buffer file the parent created; 89 when it is missing or has the wrong size. */
export function openShmFile(p: string, size: number): number {
  let fd = -1;
  try {
    fd = fs.openSync(p, 'r+');
    const actual = fs.fstatSync(fd).size;
    if (actual !== size) throw new Error(`it holds ${actual} bytes, not ${size}`);
    return fd;
  } catch (e) {
    if (fd >= 0) fs.closeSync(fd);
    throw new OpenbpError('SHM_SETUP_FAILED', `cannot open the buffer file ${p}: ${(e as Error).message}`, { cause: e });
  }
}

/** Removes one buffer file; missing is fine. */
export function removeShmFile(p: string): void {
  try {
    fs.unlinkSync(p);
  } catch {
    // already gone
  }
}

/**
 * Removes every buffer file of job <jobid> in dir (openbp-bptm-<jobid>-*.buf). Job ids are per home, so
 * in the shared /dev/shm this also matches other homes' jobs: bpbrm removes by bptm pid instead
 * (shmFileName); this is for a buffer directory private to one home. Returns the paths removed.
 */
export function removeJobShmFiles(jobid: number, dir: string = DEFAULT_SHM_DIR): string[] {
  const prefix = `openbp-bptm-${jobid}-`;
  let names: string[];
  try {
    names = fs.readdirSync(dir);
  } catch {
    return [];
  }
  const removed: string[] = [];
  for (const name of names) {
    if (!name.startsWith(prefix) || !/^\d+\.buf$/.test(name.slice(prefix.length))) continue;
    const p = path.join(dir, name);
    try {
      fs.unlinkSync(p);
      removed.push(p);
    } catch {
      // raced with its owner
    }
  }
  return removed;
}
