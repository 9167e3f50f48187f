// Every path read from a stream is hostile: one checker turns it into a safe absolute path, one guard creates parents.

import fs from 'node:fs';
import path from 'node:path';
import { bytePathToBuffer, isWithin } from '../protocol/byte-path.js';

export type ResolvedPath = { ok: true; abs: string; strippedAbsolute: boolean } | { ok: false; reason: string };

/** A NUL, an empty component (// or a trailing /), or a '.' or '..' component. */
const IRREGULAR = /\0|\/\/|\/$|(?:^|\/)\.\.?(?:\/|$)/;

/**
 * Resolves a stream path (byte string) to the absolute path it was backed up from: stream paths are relative
 * (an absolute one is made relative), '.' and empty components drop out, any '..' component refuses the entry.
 */
export function resolveStreamPath(p: string): ResolvedPath {
  // Most paths are plain already (every one a restore of bpbkar's stream reads): no component to drop or refuse.
  if (p !== '' && !IRREGULAR.test(p)) {
    const strippedAbsolute = p.charCodeAt(0) === 0x2f;
    return { ok: true, abs: strippedAbsolute ? p : `/${p}`, strippedAbsolute };
  }
  if (p.includes('\0')) return { ok: false, reason: 'path contains a NUL byte' };
  const strippedAbsolute = p.startsWith('/');
  const parts = p.split('/').filter((c) => c !== '' && c !== '.');
  if (parts.includes('..')) return { ok: false, reason: "path contains a '..' component" };
  return { ok: true, abs: `/${parts.join('/')}`, strippedAbsolute };
}

export class PathGuardError extends Error {
  constructor(
    readonly code: 'SYMLINK_IN_PATH' | 'NOT_A_DIRECTORY' | 'OUTSIDE_TARGET',
    message: string,
  ) {
    super(message);
    this.name = 'PathGuardError';
  }
}

function dirnameOf(p: string): string {
  return path.posix.dirname(p);
}

/**
 * Makes sure the directories that lead to a destination are real directories: from the parent of the restore
 * target down to the destination's parent, no component may be a symlink (or anything but a directory), except
 * directories this guard created or verified. Missing directories are created. Verified directories are cached;
 * call forget() when something at a path is replaced.
 */
export class PathGuard {
  private readonly verified = new Set<string>();

  /** Throws PathGuardError when `dest` is outside `target` or its parents cannot be trusted. */
  prepareParents(dest: string, target: string): void {
    if (!isWithin(dest, target)) throw new PathGuardError('OUTSIDE_TARGET', `${dest} is outside the restore target ${target}`);
    const root = dirnameOf(target);
    const parent = dirnameOf(dest);
    if (this.verified.has(parent)) return;
    // Above the checked region: create what is missing the ordinary way.
    this.checkOrCreate(root, true);
    if (parent === root) return;
    const rest = root === '/' ? parent.slice(1) : parent.slice(root.length + 1);
    let cur = root;
    for (const comp of rest.split('/')) {
      cur = cur === '/' ? `/${comp}` : `${cur}/${comp}`;
      if (this.verified.has(cur)) continue;
      this.checkOrCreate(cur, false);
    }
  }

  /** Marks a directory this restore just created or replaced as trusted. */
  trust(dir: string): void {
    this.verified.add(dir);
  }

  /** Forgets `p` and everything below it (it was removed or replaced by a non-directory). */
  forget(p: string): void {
    for (const v of this.verified) if (isWithin(v, p)) this.verified.delete(v);
  }

  private checkOrCreate(dir: string, recursive: boolean): void {
    const b = bytePathToBuffer(dir);
    let st: fs.Stats | undefined;
    try {
      st = fs.lstatSync(b);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
    }
    if (st === undefined) {
      try {
        fs.mkdirSync(b, { recursive });
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
        return this.checkOrCreate(dir, false);
      }
    } else if (st.isSymbolicLink()) {
      throw new PathGuardError('SYMLINK_IN_PATH', `refusing to write through symbolic link ${dir}`);
    } else if (!st.isDirectory()) {
      throw new PathGuardError('NOT_A_DIRECTORY', `${dir} is not a directory`);
    }
    this.verified.add(dir);
  }
}
