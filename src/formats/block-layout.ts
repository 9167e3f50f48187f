// Verifying a .f block that came from another process (bpbkar's file-block events) and reading its layout: what
// bpdbm needs to append it to a .f as it is. The paths are followed as bytes; strings are made only for the parent
// of each run of siblings and for each directory, not for every entry (a run is most of a directory's files).

import { Cursor, FormatError } from './varint.js';

/** The .f's type index of a directory ("fdlhpcbs"). */
const DIR_TYPE = 1;
const TYPE_COUNT = 8;
const SLASH = 0x2f;
const DOT = 0x2e;

/** In entry order: RUN, the parent key of entries that follow (until the next RUN); DIR, a directory's own path. */
export const RUN = 0;
export const DIR = 1;

export interface BlockLayout {
  /** Entries in the block. */
  readonly count: number;
  /**
   * True when every path is absolute and normal (normalizeAbsolute would keep it) and every in_image is 0 or 1:
   * the block may go into a .f as it is, once each RUN's parent is known.
   */
  readonly plain: boolean;
  /** RUN or DIR for each of `keys`. */
  readonly kinds: number[];
  /** A RUN's parent key (parentKey of its entries: '' for the root's own entry) or a DIR's path. */
  readonly keys: string[];
}

/**
 * Reads a block payload of `count` entries from another process, checking every field so that, appended to a .f
 * as it is, it decodes later (types, in_image values, user/group references, lengths): FormatError when not.
 * Returns its layout: the runs of entries with one parent and the directories, in order (an entry of a new parent
 * always starts a RUN, the root's and relative paths' every entry too).
 */
export function verifyBlock(payload: Buffer, count: number): BlockLayout {
  if (!Number.isSafeInteger(count) || count < 1) throw new FormatError(`bad entry count ${count}`);
  const c = new Cursor(payload);
  const kinds: number[] = [];
  const keys: string[] = [];
  let path = Buffer.allocUnsafe(1024);
  let len = 0;
  /** The previous path's last '/' (-1: none) and the end of its parent key (-1: the key '', never continued). */
  let slash = -1;
  let keyEnd = -1;
  let plain = true;
  let names = 0;
  for (let i = 0; i < count; i++) {
    const shared = c.uvar();
    if (shared > len) throw new FormatError('bad path prefix');
    const n = c.uvar();
    if (c.pos + n > c.end) throw new FormatError('truncated record');
    if (shared + n > path.length) {
      const grown = Buffer.allocUnsafe(Math.max(path.length * 2, shared + n));
      path.copy(grown, 0, 0, shared);
      path = grown;
    }
    payload.copy(path, shared, c.pos, c.pos + n);
    c.pos += n;
    len = shared + n;
    // The last '/': in the suffix, else the previous path's when the shared prefix holds it, else searched.
    let last = -1;
    for (let k = len - 1; k >= shared; k--) {
      if (path[k] === SLASH) {
        last = k;
        break;
      }
    }
    if (last < 0) {
      if (slash >= 0 && slash < shared) last = slash;
      else if (shared > 0) last = path.lastIndexOf(SLASH, shared - 1);
    }
    const end = last < 0 || (len === 1 && path[0] === SLASH) ? -1 : last === 0 ? 1 : last;
    if (end < 0 || end !== keyEnd || shared < keyEnd) {
      kinds.push(RUN);
      keys.push(end < 0 ? '' : path.toString('latin1', 0, end));
    }
    slash = last;
    keyEnd = end;
    if (plain && !normalAbsolute(path, len, shared)) plain = false;
    const f = c.byte();
    const type = f & 0x0f;
    const inImage = f >> 4;
    if (type >= TYPE_COUNT || inImage > 2) throw new FormatError(`bad flags ${f} for ${path.toString('latin1', 0, len)}`);
    if (inImage > 1) plain = false;
    if (type === DIR_TYPE) {
      kinds.push(DIR);
      keys.push(path.toString('latin1', 0, len));
    }
    c.uvar(); // mode
    c.uvar(); // uid
    c.uvar(); // gid
    for (let k = 0; k < 2; k++) {
      const ref = c.uvar();
      if (ref === 0) {
        skipBytes(c);
        names++;
      } else if (ref > names) throw new FormatError('bad name reference');
    }
    c.uvar(); // size
    c.sbig(); // mtime
    for (let k = 0; k < 5; k++) c.svar(); // ctime atime ino dev offset
    skipBytes(c); // link
  }
  if (!c.done) throw new FormatError('trailing bytes in block');
  return { count, plain, kinds, keys };
}

function skipBytes(c: Cursor): void {
  const n = c.uvar();
  if (c.pos + n > c.end) throw new FormatError('truncated record');
  c.pos += n;
}

/**
 * normalizeAbsolute's test (absolute; '/' or no trailing '/', no '//', no '/./', no trailing '/.') of path[0, len),
 * whose first `shared` bytes were the previous path's, already found normal: only what follows them is looked at.
 */
function normalAbsolute(path: Buffer, len: number, shared: number): boolean {
  if (len === 0 || path[0] !== SLASH) return false;
  if (len === 1) return true;
  for (let k = Math.max(1, shared - 2); k < len; k++) {
    if (path[k] !== SLASH) continue;
    if (path[k - 1] === SLASH || (k >= 2 && path[k - 1] === DOT && path[k - 2] === SLASH)) return false;
  }
  if (path[len - 1] === SLASH) return false;
  return !(path[len - 1] === DOT && path[len - 2] === SLASH);
}
