// Loads the openbp_sys native addon: the POSIX calls Node lacks (exact-ns utimensat, mkfifo, mknod, xattrs, SO_PEERCRED, st ioctls,
// shared mappings, pipes and their sizes).

import fs from 'node:fs';
import path from 'node:path';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { OpenbpError } from '../protocol/errors.js';

/** The addon's functions. Paths and attribute names are Buffers (raw bytes). Errors carry .code (errno name). */
export interface OpenbpSys {
  /** utimensat(AT_FDCWD, path, [atime, mtime], noFollow ? AT_SYMLINK_NOFOLLOW : 0) with exact nanoseconds. */
  utimensat(path: Buffer, atimeSec: number, atimeNsec: number, mtimeSec: number, mtimeNsec: number, noFollow: boolean): void;
  mkfifo(path: Buffer, mode: number): void;
  /** mode includes the file type bits (S_IFCHR / S_IFBLK). */
  mknod(path: Buffer, mode: number, major: number, minor: number): void;
  /** The attribute's value, or null when it does not exist. */
  lgetxattr(path: Buffer, name: Buffer): Buffer | null;
  lsetxattr(path: Buffer, name: Buffer, value: Buffer): void;
  /** Attribute names; [] when the file system has no xattr support. */
  llistxattr(path: Buffer): Buffer[];
  /**
   * The data regions of an open file below `size`, flattened: [offset0, length0, offset1, length1, ...], found
   * with lseek SEEK_DATA/SEEK_HOLE. Holes are what lies between; a file system without SEEK_DATA reports [0, size].
   */
  dataSegments(fd: number, size: number): number[];
  /** Who is at the other end of a connected UNIX socket (SO_PEERCRED): set by the kernel, not claimed by the peer. */
  peerCredentials(fd: number): PeerCredentials;
  /** ioctl(fd, MTIOCTOP, {op, count}) on the libuv thread pool (rewinds take minutes). Rejects with .code = errno name. */
  mtOp(fd: number, op: number, count: number): Promise<void>;
  /** ioctl(fd, MTIOCGET): struct mtget. */
  mtGet(fd: number): MtGet;
  /** ioctl(fd, MTIOCPOS): the logical block number (SCSI READ POSITION). */
  mtPos(fd: number): number;
  /**
   * mmap(fd, 0..length) shared, read-write, populated: the same bytes as every other mapping of that file. The fd may
   * be closed afterwards. Unmapped by munmap(), or when the ArrayBuffer is collected.
   */
  mmapShared(fd: number, length: number): ArrayBuffer;
  /**
   * Unmaps a mapping from mmapShared at once and detaches its ArrayBuffer (every view of it then reads as empty,
   * never as freed memory). Only once no I/O into the mapping is in flight. false when it was not mapped (any more).
   */
  munmap(mapping: ArrayBuffer): boolean;
  /** pipe2(O_CLOEXEC): [readFd, writeFd]. */
  pipe(): [number, number];
  /** fcntl(F_SETPIPE_SZ): sets a pipe's capacity; returns the capacity the kernel chose (>= bytes). EPERM above pipe-max-size. */
  setPipeSize(fd: number, bytes: number): number;
  /** fcntl(F_GETPIPE_SZ): a pipe's capacity in bytes. */
  pipeSize(fd: number): number;
}

export interface PeerCredentials {
  pid: number;
  uid: number;
  gid: number;
}

/** struct mtget (linux/mtio.h). */
export interface MtGet {
  type: number;
  resid: number;
  dsreg: number;
  gstat: number;
  erreg: number;
  fileno: number;
  blkno: number;
}

const here = path.dirname(fileURLToPath(import.meta.url)); // <root>/<out...>/src/native
const RELATIVE = path.join('build', 'Release', 'openbp_sys.node');

/**
 * Where the compiled addon lives: $OPENBP_NATIVE_ADDON, else <root>/build/Release/openbp_sys.node for the nearest
 * ancestor of this file that has one (dist/ and .build/a/ outputs both find the repo root's build/).
 */
function findAddon(): string {
  if (process.env.OPENBP_NATIVE_ADDON) return process.env.OPENBP_NATIVE_ADDON;
  let dir = path.resolve(here, '..', '..');
  for (;;) {
    const candidate = path.join(dir, RELATIVE);
    if (fs.existsSync(candidate)) return candidate;
    const up = path.dirname(dir);
    if (up === dir) return path.resolve(here, '..', '..', '..', RELATIVE);
    dir = up;
  }
}

export const ADDON_PATH = findAddon();

let loaded: OpenbpSys | undefined;

/** The addon, loaded once; throws OpenbpError(SYSTEM_ERROR) with a hint when it was not built. */
export function sys(): OpenbpSys {
  if (loaded) return loaded;
  if (!fs.existsSync(ADDON_PATH)) {
    throw new OpenbpError('SYSTEM_ERROR', `native addon missing: ${ADDON_PATH}`, { hint: 'run `node scripts/build-native.mjs` (part of npm run build)' });
  }
  const require = createRequire(import.meta.url);
  try {
    loaded = require(ADDON_PATH) as OpenbpSys;
  } catch (e) {
    throw new OpenbpError('SYSTEM_ERROR', `native addon ${ADDON_PATH} failed to load: ${(e as Error).message}`, { cause: e, hint: 'rebuild it: node scripts/build-native.mjs --force' });
  }
  return loaded;
}
