// Lists every difference between two trees: types, bytes, modes, owners, ns mtimes, link targets, hard-link groups, names.

import fs from 'node:fs';
import { sys } from '../../src/native/sys.js';

export interface CompareOptions {
  /** Compare uid/gid (only meaningful when the restore ran as root). */
  owners: boolean;
  /** Compare symlinks' own mtimes (default true; Linux supports them). */
  symlinkTimes?: boolean;
  /** Compare directories' mtimes (default true). */
  dirTimes?: boolean;
  /** Compare extended attributes, POSIX ACLs included (default false). */
  xattrs?: boolean;
}

/** "name=hex" lines of every xattr of p (not following symlinks), sorted by name. */
function xattrText(p: Buffer): string {
  return sys()
    .llistxattr(p)
    .map((n) => `${n.toString('latin1')}=${sys().lgetxattr(p, n)?.toString('hex') ?? '(gone)'}`)
    .sort()
    .join(' ');
}

interface Info {
  type: string;
  mode: number;
  uid: number;
  gid: number;
  size: bigint;
  mtimeNs: bigint;
  ino: bigint;
  nlink: bigint;
  rdev: bigint;
  link?: Buffer;
}

function typeOf(st: fs.BigIntStats): string {
  if (st.isFile()) return 'file';
  if (st.isDirectory()) return 'directory';
  if (st.isSymbolicLink()) return 'symlink';
  if (st.isFIFO()) return 'fifo';
  if (st.isCharacterDevice()) return 'char';
  if (st.isBlockDevice()) return 'block';
  if (st.isSocket()) return 'socket';
  return 'unknown';
}

const SLASH = Buffer.from('/');

/** Collects every path below root (relative, as latin1 byte strings) with its lstat. */
function collect(root: Buffer): Map<string, Info> {
  const out = new Map<string, Info>();
  const visit = (abs: Buffer, rel: string): void => {
    for (const name of fs.readdirSync(abs, { encoding: 'buffer' })) {
      const childAbs = Buffer.concat([abs, SLASH, name]);
      const childRel = rel === '' ? name.toString('latin1') : `${rel}/${name.toString('latin1')}`;
      const st = fs.lstatSync(childAbs, { bigint: true });
      const info: Info = {
        type: typeOf(st),
        mode: Number(st.mode) & 0o7777,
        uid: Number(st.uid),
        gid: Number(st.gid),
        size: st.size,
        mtimeNs: st.mtimeNs,
        ino: st.ino,
        nlink: st.nlink,
        rdev: st.rdev,
      };
      if (info.type === 'symlink') info.link = fs.readlinkSync(childAbs, { encoding: 'buffer' }) as Buffer;
      out.set(childRel, info);
      if (info.type === 'directory') visit(childAbs, childRel);
    }
  };
  visit(root, '');
  return out;
}

function show(rel: string): string {
  return JSON.stringify(Buffer.from(rel, 'latin1').toString('utf8'));
}

function sameContent(a: Buffer, b: Buffer): boolean {
  const CHUNK = 4 * 1024 * 1024;
  const fa = fs.openSync(a, 'r');
  const fb = fs.openSync(b, 'r');
  try {
    const ba = Buffer.allocUnsafe(CHUNK);
    const bb = Buffer.allocUnsafe(CHUNK);
    for (;;) {
      const na = fs.readSync(fa, ba, 0, CHUNK, null);
      let nb = 0;
      while (nb < na) {
        const r = fs.readSync(fb, bb, nb, na - nb, null);
        if (r === 0) break;
        nb += r;
      }
      if (na !== nb || ba.compare(bb, 0, nb, 0, na) !== 0) return false;
      if (na === 0) return fs.readSync(fb, bb, 0, 1, null) === 0;
    }
  } finally {
    fs.closeSync(fa);
    fs.closeSync(fb);
  }
}

/** Groups of paths sharing an inode (non-directories with nlink > 1), as a map path -> sorted group key. */
function linkGroups(tree: Map<string, Info>): Map<string, string> {
  const byIno = new Map<bigint, string[]>();
  for (const [rel, info] of tree) {
    if (info.type === 'directory' || info.nlink < 2n) continue;
    const g = byIno.get(info.ino) ?? [];
    g.push(rel);
    byIno.set(info.ino, g);
  }
  const out = new Map<string, string>();
  for (const g of byIno.values()) {
    const key = g.sort().map(show).join(' ');
    for (const rel of g) out.set(rel, key);
  }
  return out;
}

/** Every difference between trees a and b (empty list = identical). Roots themselves are compared too. */
export async function compareTrees(a: string, b: string, opts: CompareOptions): Promise<string[]> {
  const diffs: string[] = [];
  const ra = Buffer.from(a, 'latin1');
  const rb = Buffer.from(b, 'latin1');
  const ta = collect(ra);
  const tb = collect(rb);
  const rootA = fs.lstatSync(ra, { bigint: true });
  const rootB = fs.lstatSync(rb, { bigint: true });
  ta.set('.', { type: 'directory', mode: Number(rootA.mode) & 0o7777, uid: Number(rootA.uid), gid: Number(rootA.gid), size: 0n, mtimeNs: rootA.mtimeNs, ino: rootA.ino, nlink: 1n, rdev: 0n });
  tb.set('.', { type: 'directory', mode: Number(rootB.mode) & 0o7777, uid: Number(rootB.uid), gid: Number(rootB.gid), size: 0n, mtimeNs: rootB.mtimeNs, ino: rootB.ino, nlink: 1n, rdev: 0n });
  const ga = linkGroups(ta);
  const gb = linkGroups(tb);
  for (const [rel, x] of ta) {
    const y = tb.get(rel);
    const name = show(rel);
    if (!y) {
      diffs.push(`${name}: only in ${a}`);
      continue;
    }
    if (x.type !== y.type) {
      diffs.push(`${name}: type ${x.type} != ${y.type}`);
      continue;
    }
    if (x.type !== 'symlink' && x.mode !== y.mode) diffs.push(`${name}: mode ${x.mode.toString(8)} != ${y.mode.toString(8)}`);
    if (opts.owners && (x.uid !== y.uid || x.gid !== y.gid)) diffs.push(`${name}: owner ${x.uid}:${x.gid} != ${y.uid}:${y.gid}`);
    const timed = x.type === 'symlink' ? opts.symlinkTimes !== false : x.type === 'directory' ? opts.dirTimes !== false : true;
    if (timed && x.mtimeNs !== y.mtimeNs) diffs.push(`${name}: mtime ${x.mtimeNs} != ${y.mtimeNs}`);
    if (x.type === 'file') {
      if (x.size !== y.size) diffs.push(`${name}: size ${x.size} != ${y.size}`);
      else {
        const pa = rel === '.' ? ra : Buffer.concat([ra, SLASH, Buffer.from(rel, 'latin1')]);
        const pb = rel === '.' ? rb : Buffer.concat([rb, SLASH, Buffer.from(rel, 'latin1')]);
        if (!sameContent(pa, pb)) diffs.push(`${name}: contents differ`);
      }
    }
    if (x.type === 'symlink' && !x.link!.equals(y.link!)) diffs.push(`${name}: symlink target ${JSON.stringify(x.link!.toString('latin1'))} != ${JSON.stringify(y.link!.toString('latin1'))}`);
    if (opts.xattrs) {
      const pa = rel === '.' ? ra : Buffer.concat([ra, SLASH, Buffer.from(rel, 'latin1')]);
      const pb = rel === '.' ? rb : Buffer.concat([rb, SLASH, Buffer.from(rel, 'latin1')]);
      const xa = xattrText(pa);
      const xb = xattrText(pb);
      if (xa !== xb) diffs.push(`${name}: xattrs [${xa}] != [${xb}]`);
    }
    if ((x.type === 'char' || x.type === 'block') && x.rdev !== y.rdev) diffs.push(`${name}: device ${x.rdev} != ${y.rdev}`);
    if ((ga.get(rel) ?? '') !== (gb.get(rel) ?? '')) diffs.push(`${name}: hard links [${ga.get(rel) ?? ''}] != [${gb.get(rel) ?? ''}]`);
  }
  for (const rel of tb.keys()) if (!ta.has(rel)) diffs.push(`${show(rel)}: only in ${b}`);
  return diffs;
}
