// An lstat as plain numbers (from the addon's lstatInto): what bpbkar's walk needs per file, without
// Node's BigIntStats (fourteen BigInts and Date objects a file).

import fs from 'node:fs';
import { STAT, STAT_LENGTH, sys } from '../native/sys.js';
import { nsText } from '../protocol/ns-time.js';

const { S_IFMT, S_IFREG, S_IFDIR, S_IFLNK, S_IFIFO, S_IFCHR, S_IFBLK } = fs.constants;
const NS = 1_000_000_000n;

/** Whole seconds of (sec, nsec) as BigInt division of the nanoseconds gives them (towards zero). */
function seconds(sec: number, nsec: number): number {
  return sec < 0 && nsec > 0 ? sec + 1 : sec;
}

export class NodeStat {
  readonly dev: number;
  /** Exact below 2^53 (as the catalogue keeps it); `inodeKey` is exact always. */
  readonly ino: number;
  readonly mode: number;
  readonly nlink: number;
  readonly uid: number;
  readonly gid: number;
  readonly rdev: number;
  readonly size: number;
  readonly blocks: number;
  private readonly a: number;
  private readonly an: number;
  private readonly m: number;
  private readonly mn: number;
  private readonly c: number;
  private readonly cn: number;
  private readonly inoHigh: number;
  private readonly inoLow: number;

  /** From the STAT_LENGTH numbers at f[at..] (lstatInto's or scanDir's layout). */
  constructor(f: Float64Array, at = 0) {
    this.dev = f[at + STAT.dev]!;
    this.ino = f[at + STAT.ino]!;
    this.mode = f[at + STAT.mode]!;
    this.nlink = f[at + STAT.nlink]!;
    this.uid = f[at + STAT.uid]!;
    this.gid = f[at + STAT.gid]!;
    this.rdev = f[at + STAT.rdev]!;
    this.size = f[at + STAT.size]!;
    this.blocks = f[at + STAT.blocks]!;
    this.a = f[at + STAT.atimeSec]!;
    this.an = f[at + STAT.atimeNsec]!;
    this.m = f[at + STAT.mtimeSec]!;
    this.mn = f[at + STAT.mtimeNsec]!;
    this.c = f[at + STAT.ctimeSec]!;
    this.cn = f[at + STAT.ctimeNsec]!;
    this.inoHigh = f[at + STAT.inoHigh]!;
    this.inoLow = f[at + STAT.inoLow]!;
  }

  isFile(): boolean {
    return (this.mode & S_IFMT) === S_IFREG;
  }
  isDirectory(): boolean {
    return (this.mode & S_IFMT) === S_IFDIR;
  }
  isSymbolicLink(): boolean {
    return (this.mode & S_IFMT) === S_IFLNK;
  }
  isFIFO(): boolean {
    return (this.mode & S_IFMT) === S_IFIFO;
  }
  isCharacterDevice(): boolean {
    return (this.mode & S_IFMT) === S_IFCHR;
  }
  isBlockDevice(): boolean {
    return (this.mode & S_IFMT) === S_IFBLK;
  }

  get mtimeNs(): bigint {
    return BigInt(this.m) * NS + BigInt(this.mn);
  }
  /** mtimeNs in decimal (the catalogue's form), without BigInt arithmetic for times after 1970. */
  get mtimeNsText(): string {
    return nsText(this.m, this.mn);
  }
  get ctimeSeconds(): number {
    return seconds(this.c, this.cn);
  }
  get atimeSeconds(): number {
    return seconds(this.a, this.an);
  }
  /** Device and exact inode: the key of a hard-linked file. */
  get inodeKey(): string {
    return `${this.dev}:${this.inoHigh}:${this.inoLow}`;
  }
}

const scratch = new Float64Array(STAT_LENGTH);

/** lstat(path) as a NodeStat; throws the addon's errno error (.code) like fs.lstatSync. */
export function lstatNode(path: Buffer): NodeStat {
  sys().lstatInto(path, scratch);
  return new NodeStat(scratch);
}
