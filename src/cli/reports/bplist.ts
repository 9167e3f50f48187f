// bplist's output: one path per line (directories end with '/'), or ls -l-like lines with -l; paths as raw bytes.

import type { FileRecord } from '../../protocol/records.js';
import { formatLsDate, formatNbDateTime } from '../dates.js';

export interface ListedEntry {
  readonly backupid: string;
  readonly backupTime: number;
  readonly file: FileRecord;
}

export interface BplistFormat {
  /** -l: mode owner group size Mon DD HH:MM path. */
  readonly long: boolean;
  /** -b: backup times instead of modification times (-l), or a leading backup date and time (without -l). */
  readonly backupTimes: boolean;
}

const TYPE_CHAR: Record<FileRecord['type'], string> = { f: '-', h: '-', d: 'd', l: 'l', p: 'p', c: 'c', b: 'b', s: 's' };

/** `drwxr-xr-x`-style mode string, with setuid/setgid/sticky letters as ls prints them. */
export function modeString(type: FileRecord['type'], mode: number): string {
  const bit = (m: number, c: string) => (mode & m ? c : '-');
  const special = (x: boolean, s: boolean, set: string) => (s ? (x ? set : set.toUpperCase()) : x ? 'x' : '-');
  return (
    TYPE_CHAR[type] +
    bit(0o400, 'r') + bit(0o200, 'w') + special(Boolean(mode & 0o100), Boolean(mode & 0o4000), 's') +
    bit(0o040, 'r') + bit(0o020, 'w') + special(Boolean(mode & 0o010), Boolean(mode & 0o2000), 's') +
    bit(0o004, 'r') + bit(0o002, 'w') + special(Boolean(mode & 0o001), Boolean(mode & 0o1000), 't')
  );
}

/** The path as bplist shows it: directories end with '/'. */
export function displayPath(f: FileRecord): string {
  return f.type === 'd' && !f.path.endsWith('/') ? `${f.path}/` : f.path;
}

function mtimeSeconds(f: FileRecord): number {
  const ns = f.mtimeNs;
  // Positive times: the seconds are the digits before the last nine (no BigInt on the hot path).
  if (ns.length > 9 && ns.length < 25 && ns.charCodeAt(0) !== 0x2d) return Number(ns.slice(0, -9));
  return Number(BigInt(ns) / 1_000_000_000n);
}

/** Memo of the last date shown: a listing's neighbours mostly share their minute. */
let lastMinute = NaN;
let lastDate = '';
function lsDate(epoch: number): string {
  const minute = Math.floor(epoch / 60);
  if (minute !== lastMinute) {
    lastMinute = minute;
    lastDate = formatLsDate(epoch);
  }
  return lastDate;
}

const modes = new Map<number, string>();
function modeText(type: FileRecord['type'], mode: number): string {
  const key = mode * 8 + 'fdlhpcbs'.indexOf(type);
  let m = modes.get(key);
  if (m === undefined) modes.set(key, (m = modeString(type, mode)));
  return m;
}

/** One line's text before the path (UTF-8), e.g. "-rw-r--r-- root     root             3004 Nov 12 20:45 ". */
function longPrefix(e: ListedEntry, backupTimes: boolean): string {
  const f = e.file;
  const owner = f.user || String(f.uid);
  const group = f.group || String(f.gid);
  const when = backupTimes ? e.backupTime : mtimeSeconds(f);
  return `${modeText(f.type, f.mode)} ${owner.padEnd(8)} ${group.padEnd(8)} ${String(f.size).padStart(12)} ${lsDate(when)} `;
}

const ASCII = /^[\x00-\x7f]*$/;

/**
 * bplist's lines for entries of one image, as bytes (paths byte for byte, owner and group as UTF-8).
 * Built as one latin1 string while the prefixes are ASCII, which is what they nearly always are.
 */
export function formatBplistRun(backupid: string, backupTime: number, files: readonly FileRecord[], fmt: BplistFormat): Buffer {
  const parts: Buffer[] = [];
  let text = '';
  for (const file of files) {
    const prefix = fmt.long ? longPrefix({ backupid, backupTime, file }, fmt.backupTimes) : fmt.backupTimes ? `${formatNbDateTime(backupTime)} ` : '';
    if (prefix && !ASCII.test(prefix)) {
      parts.push(Buffer.from(text, 'latin1'), Buffer.from(prefix, 'utf8'));
      text = '';
    } else text += prefix;
    text += displayPath(file);
    text += '\n';
  }
  parts.push(Buffer.from(text, 'latin1'));
  return parts.length === 1 ? parts[0]! : Buffer.concat(parts);
}

/** bplist's plain lines (no -l, no -b): one path a line, directories ending with '/'. */
export function formatBplistPaths(paths: readonly string[], typeAt: (i: number) => FileRecord['type']): Buffer {
  let text = '';
  for (let i = 0; i < paths.length; i++) {
    const p = paths[i]!;
    text += typeAt(i) === 'd' && !p.endsWith('/') ? `${p}/\n` : `${p}\n`;
  }
  return Buffer.from(text, 'latin1');
}

/** bplist's whole output as bytes (paths are written byte for byte). */
export function formatBplist(entries: readonly ListedEntry[], fmt: BplistFormat): Buffer {
  return Buffer.concat(entries.map((e) => formatBplistRun(e.backupid, e.backupTime, [e.file], fmt)));
}
