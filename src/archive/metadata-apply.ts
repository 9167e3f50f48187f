// Putting metadata back: owner (lchown), then mode (so setuid/setgid survive the chown), then nanosecond times.

import fs from 'node:fs';
import type { TarEntry } from './tar-entry.js';
import type { IdNames } from './id-names.js';
import { sys } from '../native/sys.js';

/** The owner to restore: the entry's names when they exist here (as GNU tar does), else its numeric ids. */
export function resolveOwner(entry: TarEntry, names: IdNames): { uid: number; gid: number } {
  return { uid: names.uidOf(entry.uname) ?? entry.uid, gid: names.gidOf(entry.gname) ?? entry.gid };
}

/** The permission bits to set: setuid/setgid are dropped when ownership is not restored. */
export function modeToApply(entry: TarEntry, restoreOwnership: boolean): number {
  return restoreOwnership ? entry.mode & 0o7777 : entry.mode & 0o1777;
}

export function applyOwner(path: Buffer, entry: TarEntry, names: IdNames): void {
  const { uid, gid } = resolveOwner(entry, names);
  fs.lchownSync(path, uid, gid);
}

/** The times to set, as utimensat takes them: atime (the entry's, else its mtime) and mtime, seconds and nanoseconds. */
export function timesToApply(entry: TarEntry): [number, number, number, number] {
  const m = entry.mtimeNs;
  return [...secNsec(entry.atimeNs ?? m), ...secNsec(m)];
}

/** Sets atime (the entry's, else its mtime) and mtime to the nanosecond; noFollow for symlinks. */
export function applyTimes(path: Buffer, entry: TarEntry, noFollow: boolean): void {
  sys().utimensat(path, ...timesToApply(entry), noFollow);
}

function secNsec(ns: bigint): [number, number] {
  let sec = ns / 1_000_000_000n;
  let rem = ns % 1_000_000_000n;
  if (rem < 0n) {
    rem += 1_000_000_000n;
    sec -= 1n;
  }
  return [Number(sec), Number(rem)];
}
