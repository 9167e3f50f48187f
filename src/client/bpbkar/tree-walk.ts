// Pre-order walk of one selection: lstat only (symlinks are never followed), one directory listing held per level.

import fs from 'node:fs';
import { bytePathToBuffer } from '../../protocol/byte-path.js';
import { lstatNode, type NodeStat } from '../../archive/node-stat.js';

export type WalkItem =
  | { kind: 'file'; abs: string; st: NodeStat }
  /** A regular file by its directory entry's type, not stat'ed (only with `lstatRegular` false). */
  | { kind: 'regular'; abs: string }
  | { kind: 'error'; abs: string; code: string; message: string; top: boolean };

interface Level {
  dir: string;
  names: Buffer[];
  /** 1 where the directory lists the name as a regular file (only when asked for: lstatRegular false). */
  regular: Uint8Array | undefined;
  i: number;
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
 * The caller must finish with an item before pulling the next one.
 */
export function* walkTree(top: string, descend: (abs: string, st: NodeStat) => boolean, lstatRegular = true): Generator<WalkItem> {
  const stack: Level[] = [];
  let st: NodeStat;
  try {
    st = lstatNode(bytePathToBuffer(top));
  } catch (e) {
    yield { kind: 'error', abs: top, top: true, ...errInfo(e) };
    return;
  }
  yield { kind: 'file', abs: top, st };
  if (st.isDirectory() && descend(top, st)) {
    const level = openLevel(top, !lstatRegular);
    if ('error' in level) yield { kind: 'error', abs: top, top: false, ...level.error };
    else stack.push(level);
  }
  while (stack.length > 0) {
    const level = stack[stack.length - 1]!;
    if (level.i >= level.names.length) {
      stack.pop();
      continue;
    }
    const i = level.i++;
    const name = level.names[i]!.toString('latin1');
    const abs = level.dir === '/' ? `/${name}` : `${level.dir}/${name}`;
    if (level.regular !== undefined && level.regular[i] === 1) {
      yield { kind: 'regular', abs };
      continue;
    }
    let cst: NodeStat;
    try {
      cst = lstatNode(bytePathToBuffer(abs));
    } catch (e) {
      yield { kind: 'error', abs, top: false, ...errInfo(e) };
      continue;
    }
    yield { kind: 'file', abs, st: cst };
    if (cst.isDirectory() && descend(abs, cst)) {
      const next = openLevel(abs, !lstatRegular);
      if ('error' in next) yield { kind: 'error', abs, top: false, ...next.error };
      else stack.push(next);
    }
  }
}

function openLevel(dir: string, withTypes: boolean): Level | { error: { code: string; message: string } } {
  try {
    if (!withTypes) {
      const names = fs.readdirSync(bytePathToBuffer(dir), { encoding: 'buffer' });
      names.sort(Buffer.compare);
      return { dir, names, regular: undefined, i: 0 };
    }
    // With the entries' types (d_type): no lstat is needed to know a regular file (DT_UNKNOWN: Node lstats).
    const entries = fs.readdirSync(bytePathToBuffer(dir), { encoding: 'buffer', withFileTypes: true });
    entries.sort((a, b) => Buffer.compare(a.name, b.name));
    const regular = new Uint8Array(entries.length);
    for (let k = 0; k < entries.length; k++) if (entries[k]!.isFile()) regular[k] = 1;
    return { dir, names: entries.map((e) => e.name), regular, i: 0 };
  } catch (e) {
    return { error: errInfo(e) };
  }
}
