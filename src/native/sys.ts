// Loads the openbp_sys native addon: the POSIX calls Node lacks (exact-ns utimensat, mkfifo, mknod, xattrs, SO_PEERCRED, st ioctls,
// shared mappings, pipes and their sizes, splice, O_DIRECT alignment).

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
   * Opens a file for reading as bpbkar does (O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC), fstats it into
   * stat (see STAT) and puts the size of its xattr name list in stat[STAT.xattrs] (0: none or unsupported,
   * -1: flistxattr failed). Returns the fd.
   */
  openForBackup(path: Buffer, stat: Float64Array): number;
  /**
   * Reads up to n bytes of fd into buf[pos..] (fewer only at end of file), fstats it into stat (stat[0] = -1
   * when fstat failed) and closes it; the fd is closed also when the read throws. Returns the bytes read.
   */
  readAndClose(fd: number, buf: Buffer, pos: number, n: number, stat: Float64Array): number;
  /** lstat(path) into stat (see STAT), with the inode's exact high and low 32 bits at STAT.inoHigh / STAT.inoLow. */
  lstatInto(path: Buffer, stat: Float64Array): void;
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
  /** socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC): [a, b]. */
  socketPair(): [number, number];
  /** One message of `bytes` carrying copies of `fds` (SCM_RIGHTS, at most 8). Throws EPIPE when the other end is gone. */
  sendFds(sock: number, bytes: Buffer, fds: readonly number[]): void;
  /** Waits (blocking) for one message: its bytes and the descriptors it carried (close-on-exec); null at the end. */
  recvFds(sock: number, maxBytes: number): { bytes: Buffer; fds: number[] } | null;
  /** dup2(fd, target) then close(fd): target as a spawn would have set it up (0-2 blocking). */
  adoptFd(fd: number, target: number): void;
  /** FD_CLOEXEC on: the descriptor is not passed on to children. */
  setCloseOnExec(fd: number): void;
  /**
   * posix_fallocate(fd, 0, length): reserves the file's blocks (tmpfs: its pages) without writing them; false when the
   * file system cannot (then write it through). Throws ENOSPC when there is no room.
   */
  reserveFile(fd: number, length: number): boolean;
  /** fcntl(F_SETPIPE_SZ): sets a pipe's capacity; returns the capacity the kernel chose (>= bytes). EPERM above pipe-max-size. */
  setPipeSize(fd: number, bytes: number): number;
  /** fcntl(F_GETPIPE_SZ): a pipe's capacity in bytes. */
  pipeSize(fd: number): number;
  /** True when the bytes' address and length are both multiples of `align` (what an O_DIRECT write needs). */
  alignedTo(bytes: Uint8Array, align: number): boolean;
  /**
   * splice(2) from a file at `position` into a pipe, until `length` bytes moved, the file ended, or a failure came
   * after some bytes (fewer then: the next call throws it); waits (poll) while a non-blocking pipe is full.
   * Returns the bytes moved (0: end of file). Throws only when nothing moved; EINVAL when `pipeFd` is no pipe.
   */
  spliceToPipe(fileFd: number, pipeFd: number, position: number, length: number): number;
  /**
   * write(2) of buf[offset, offset + length) whole to a pipe, waiting (poll) while a non-blocking one is full;
   * throws (.code) on the first failure (EPIPE when the reader is gone).
   */
  writeToPipe(pipeFd: number, buf: Buffer, offset: number, length: number): void;
  /**
   * vmsplice(2) of all of `bytes` into the pipe, on the libuv thread pool (a full non-blocking pipe is waited for):
   * the pipe then refers to the pages of `bytes`, which must stay as they are until the reader has taken them (see
   * pipeUnread). Resolves with the bytes the pipe holds afterwards; rejects (.code) on the first failure (EPIPE).
   */
  vmspliceToPipe(pipeFd: number, bytes: Uint8Array): Promise<number>;
  /**
   * read(2) into `bytes` on the libuv thread pool until it is full or the input ends: resolves with the count (fewer
   * at the end, 0 once ended). An error after some bytes comes from the next call; rejects (.code, syscall 'read')
   * when the first read fails (EAGAIN: non-blocking and empty). `bytes` must stay untouched until it settles.
   */
  readFull(fd: number, bytes: Uint8Array): Promise<number>;
  /** The bytes a pipe holds (FIONREAD): all bytes put in before those have been read. */
  pipeUnread(pipeFd: number): number;
  /** On the thread pool, waits until the pipe holds `atMost` bytes or fewer: that count, or -1 once it has no reader. */
  pipeUnreadAtMost(pipeFd: number, atMost: number): Promise<number>;
  /**
   * vmspliceToPipe for a run of ring slots (consecutive blocks of blockSize, the last maybe shorter), each checked
   * first: `checks` holds 9 bytes a block (the hash, 0 none / 1 sha256 / 2 BLAKE3, then the 8 checksum bytes it must
   * start with). One pool job for the run; stops before the first block that fails (bad: its index, actual: its 16
   * hex digits; -1 when none). Resolves with the bytes spliced and the bytes the pipe holds afterwards; rejects (.code)
   * on the first vmsplice failure (EPIPE), throws ENOSYS for sha256 when node exports none. Neither buffer may change
   * until it settles.
   */
  checkedVmsplice(pipeFd: number, bytes: Uint8Array, blockSize: number, checks: Uint8Array): Promise<CheckedSplice>;

  // ---- restore data path ----
  /**
   * splice(2) of up to n bytes from a pipe to a file at the file's position, on the libuv thread pool (a blocking
   * pipe waits for its writer there, not on the JS thread). Resolves with the bytes moved: n, fewer only at the end
   * of input (the writer closed) or before an error; rejects (.code = errno name) when the first splice fails, having
   * moved nothing (EINVAL: this file cannot be spliced into; EAGAIN: the pipe is non-blocking and empty).
   */
  spliceToFile(pipeFd: number, fileFd: number, n: number): Promise<number>;
  /**
   * A restored file whose body is in memory, in one call: made unnamed in dest's directory (O_TMPFILE), `data`
   * written whole, fchown(uid, gid) unless uid < 0, fchmod(mode), futimens (exact ns), then linked as dest when
   * nothing is there, else linked as `tmp` and renamed over dest. A file that stops half-way never has a name.
   * Where files cannot be made unnamed, `tmp` is created (O_EXCL, no symlink followed, 0600) and renamed.
   * Throws (.code, .syscall) EEXIST (syscall open) having made nothing when `tmp` is taken (another temp name), and
   * removes what it made before throwing a later failure.
   */
  writeNewFile(tmp: Buffer, dest: Buffer, data: Buffer, uid: number, gid: number, mode: number, atimeSec: number, atimeNsec: number, mtimeSec: number, mtimeNsec: number): void;

  // ---- directory scan ----
  /**
   * A directory's entries but . and .., sorted by their bytes, names as latin1 strings; `regular[i]` 1 for a regular
   * file. With at most `maxStats` entries each is lstat'ed relative to the directory (fstatat) into
   * `stats[i * STAT_LENGTH ..]` as lstatInto lays it out, or has its error (as lstatInto throws) in `errors[i]`;
   * `stats` is null above maxStats (-1: never). Throws (.code) when the directory cannot be opened or read; a
   * symbolic link is not followed (ELOOP).
   */
  scanDir(path: Buffer, maxStats: number): DirScan;
  /**
   * Queues scanDir(path, maxStats) for the process's one listing thread (started with the first call), which makes
   * the queued listing of highest `rank` next (the first asked among equals) while the JS thread goes on; returns the
   * id to take it with.
   */
  askListing(path: Buffer, maxStats: number, rank: number): number;
  /**
   * The listing asked for with `id` (each once), as scanDir returns it or throws: made by the listing thread, waited
   * for while that thread makes it (making other queued listings meanwhile), or made now when it has not started it
   * yet (never waiting behind other listings).
   */
  takeListing(id: number): DirScan;

  // ---- an incremental's base ----
  /**
   * Reads an incremental's base .f into the addon (the process's one; a later call replaces it) and returns its record
   * count. Listings with stats made from then on (scanDir, askListing) lstat every entry and match it with the base:
   * `base[i]` the record of the entry's version in the base (same type, size, mtime, ctime second, inode, mode, owner,
   * link target; never a directory, socket or file of several links), else -1. Throws (.code) when the file cannot be
   * read, EINVAL when it is no .f this reader knows, EFBIG when it holds more than maxRecords records (about 100 bytes
   * of memory each).
   */
  loadBase(path: Buffer, maxRecords: number): number;
  /** Listings are not matched with a base any more. */
  dropBase(): void;
  /** lstat(path) matched with the base as a listing's entry is: the record, or -1; `times` gets [atime s, dev] on a match. */
  matchBase(path: Buffer, times: Float64Array): number;
  /**
   * Appends an entry to the addon's .f block encoder as BlockEncoder.add does (type: its index in "fdlhpcbs");
   * returns the block's length in bytes.
   */
  encodeRecord(path: string, type: number, inImage: number, mode: number, uid: number, gid: number, user: string, group: string,
    size: number, mtimeNs: string, ctime: number, atime: number, ino: number, dev: number, offset: number, link: string): number;
  /**
   * Appends the base records `base[from..to)` (all >= 0) as unchanged files (in_image 0, offset 0, atime and device
   * from `times`) until the block holds `limit` bytes; returns how many it appended.
   */
  encodeBase(base: Int32Array, times: Float64Array, from: number, to: number, limit: number): number;
  /** The length in bytes of the block being encoded. */
  encodedLength(): number;
  /** The entries encoded since the last call as one block payload; the encoder starts the next block. */
  encodedBlock(): Buffer;

  // ---- block checksums ----
  /**
   * The first 8 bytes of the sha256 (kind 1) or BLAKE3 (kind 2) of `bytes` as 16 hex digits (blockChecksum),
   * computed on the libuv thread pool where the bytes lie; they must not change until it resolves. Throws ENOSYS
   * for sha256 when node exports no SHA256.
   */
  blockSum(bytes: Uint8Array, kind: 1 | 2): Promise<string>;
  /** blockSum on the calling thread. */
  blockSumSync(bytes: Uint8Array, kind: 1 | 2): string;
}

/** What checkedVmsplice did. */
export interface CheckedSplice {
  readonly spliced: number;
  readonly unread: number;
  readonly bad: number;
  readonly actual?: string;
}

/** Indexes of the fields openForBackup, readAndClose and lstatInto put in their Float64Array (STAT_LENGTH elements). */
export const STAT = {
  dev: 0, ino: 1, mode: 2, nlink: 3, uid: 4, gid: 5, rdev: 6, size: 7, blocks: 8,
  atimeSec: 9, atimeNsec: 10, mtimeSec: 11, mtimeNsec: 12, ctimeSec: 13, ctimeNsec: 14, xattrs: 15, inoHigh: 16, inoLow: 17,
} as const;
export const STAT_LENGTH = 18;

export interface DirScan {
  names: string[];
  regular: Uint8Array;
  stats: Float64Array | null;
  errors: Array<Error | undefined> | null;
  /** With a base loaded (and stats asked for): each entry's record in the base of the same version, or -1. */
  base: Int32Array | null;
  /** Beside base: [atime s, dev] of each matched entry's lstat. */
  baseTimes: Float64Array | null;
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

const here = path.dirname(fileURLToPath(import.meta.url)); // <root>/<out...>/src/native, or <root>/dist/bin in a bundle
const RELATIVE = path.join('build', 'Release', 'openbp_sys.node');

/**
 * Where the compiled addon lives: $OPENBP_NATIVE_ADDON, else <root>/build/Release/openbp_sys.node for the nearest
 * ancestor of this file that has one (dist/, .build/a/ outputs and dist/bin bundles all find the repo root's build/).
 */
function findAddon(): string {
  if (process.env.OPENBP_NATIVE_ADDON) return process.env.OPENBP_NATIVE_ADDON;
  let dir = here;
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
