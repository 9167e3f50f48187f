// Pre-order walk of one selection: lstat only (symlinks are never followed), one directory listing held per level.

import fs from 'node:fs';
import { bytePathToBuffer } from '../../protocol/byte-path.js';
import { NodeStat, lstatNode } from '../../archive/node-stat.js';
import { STAT, STAT_LENGTH, sys } from '../../native/sys.js';
import { ListingsAhead } from './listings-ahead.js';

export type WalkItem =
  | { kind: 'file'; abs: string; st: NodeStat }
  /** A regular file by its directory entry's type, not stat'ed (only with `lstatRegular` false). */
  | { kind: 'regular'; abs: string }
  /**
   * Entries from..to of directory `dir` (names[from..to)) that the addon matched with the incremental's base: each in
   * the version base[i] names (see sys().loadBase), with its atime and device at times[2i], times[2i + 1].
   */
  | { kind: 'unchanged'; dir: string; names: string[]; from: number; to: number } & BaseMatch
  | { kind: 'error'; abs: string; code: string; message: string; top: boolean };

/** A listing's entries matched with a base the addon holds: the record of each entry's version (or -1), and beside it
 * [atime s, dev] of each matched entry's lstat. */
export interface BaseMatch {
  base: Int32Array;
  times: Float64Array;
}

/** Directories up to this many entries are lstat'ed in one call with their listing (18 numbers an entry held per level). */
const STATS_PER_LISTING = 16384;

interface Level {
  dir: string;
  names: string[];
  /** 1 where the directory lists the name as a regular file. */
  regular: Uint8Array;
  /** The entries' lstats, when listed with them (lstatRegular and not too many entries). */
  stats: Float64Array | null;
  errors: Array<Error | undefined> | null;
  /** With a base the addon holds: its match of the entries. */
  matched: BaseMatch | null;
  i: number;
  /** Entries up to here were looked at for listing ahead. */
  ahead: number;
}

const { S_IFMT, S_IFDIR } = fs.constants;

/** The absolute path of a directory's entry. */
export function childPath(dir: string, name: string): string {
  return dir === '/' ? `/${name}` : `${dir}/${name}`;
}

function errInfo(e: unknown): { code: string; message: string } {
  const err = e as NodeJS.ErrnoException;
  return { code: err.code ?? 'EIO', message: err.message };
}

/**
 * Yields the selection and everything below it, a directory before its contents, names in byte order.
 * `descend` decides whether a directory's contents are walked (mount points when not crossing them).
 * With `lstatRegular` false, an entry the directory lists as a regular file is yielded as 'regular'
 * without an lstat: the caller opens it and fstats the descriptor (one system call less a file).
 * Otherwise a directory's entries are lstat'ed relative to it as it is listed (no path walk a file).
 * Then the directories next in walk order are listed ahead by the addon's listing thread, a few at a time; with an
 * incremental's base loaded into the addon, the files it matched come as runs ('unchanged').
 * The caller must finish with an item before pulling the next one.
 */
export function* walkTree(top: string, descend: (abs: string, st: NodeStat) => boolean, lstatRegular = true): Generator<WalkItem> {
  const stack: Level[] = [];
  const ahead = lstatRegular ? new ListingsAhead(STATS_PER_LISTING) : undefined;
  /** Rounds of asking so far: each ranks above the ones before. */
  let round = 0;
  /** Asks for the listings of the next directories in walk order that are known (the stack's, from its top). */
  const listAhead = (ahead: ListingsAhead): void => {
    round++;
    for (let s = stack.length - 1; s >= 0 && ahead.hasRoom; s--) {
      const level = stack[s]!;
      const stats = level.stats;
      let j = Math.max(level.ahead, level.i);
      for (; stats && j < level.names.length && ahead.hasRoom; j++) {
        if ((stats[j * STAT_LENGTH + STAT.mode]! & S_IFMT) !== S_IFDIR || level.errors?.[j]) continue;
        const abs = childPath(level.dir, level.names[j]!);
        if (descend(abs, new NodeStat(stats, j * STAT_LENGTH))) ahead.ask(abs, round);
      }
      level.ahead = stats ? j : level.names.length;
    }
  };
  /** Enters a directory (its listing made ahead, else made now); why not when it cannot be. */
  const enter = (dir: string): { code: string; message: string } | undefined => {
    let level: Level;
    try {
      const scan = ahead?.take(dir) ?? sys().scanDir(bytePathToBuffer(dir), lstatRegular ? STATS_PER_LISTING : -1);
      level = { dir, names: scan.names, regular: scan.regular, stats: scan.stats, errors: scan.errors, matched: scan.base && scan.baseTimes ? { base: scan.base, times: scan.baseTimes } : null, i: 0, ahead: 0 };
    } catch (e) {
      return errInfo(e);
    }
    stack.push(level);
    if (ahead) listAhead(ahead);
    return undefined;
  };
  let st: NodeStat;
  try {
    st = lstatNode(bytePathToBuffer(top));
  } catch (e) {
    yield { kind: 'error', abs: top, top: true, ...errInfo(e) };
    return;
  }
  yield { kind: 'file', abs: top, st };
  if (st.isDirectory() && descend(top, st)) {
    const failed = enter(top);
    if (failed) yield { kind: 'error', abs: top, top: false, ...failed };
  }
  while (stack.length > 0) {
    const level = stack[stack.length - 1]!;
    if (level.i >= level.names.length) {
      stack.pop();
      continue;
    }
    const i = level.i++;
    const matched = level.matched;
    if (matched !== null && matched.base[i]! >= 0) {
      // A run of unchanged files (never directories): handed over as it is, no path or object made for each.
      const base = matched.base;
      let to = i + 1;
      while (to < base.length && base[to]! >= 0) to++;
      level.i = to;
      yield { kind: 'unchanged', dir: level.dir, names: level.names, ...matched, from: i, to };
      continue;
    }
    const name = level.names[i]!;
    const abs = childPath(level.dir, name);
    if (!lstatRegular && level.regular[i] === 1) {
      yield { kind: 'regular', abs };
      continue;
    }
    let cst: NodeStat;
    try {
      const failed = level.errors?.[i];
      if (failed) throw failed;
      cst = level.stats ? new NodeStat(level.stats, i * STAT_LENGTH) : lstatNode(bytePathToBuffer(abs));
    } catch (e) {
      yield { kind: 'error', abs, top: false, ...errInfo(e) };
      continue;
    }
    yield { kind: 'file', abs, st: cst };
    if (cst.isDirectory() && descend(abs, cst)) {
      const failed = enter(abs);
      if (failed) yield { kind: 'error', abs, top: false, ...failed };
    }
  }
}
