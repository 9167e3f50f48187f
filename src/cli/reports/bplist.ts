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
  return Number(BigInt(f.mtimeNs) / 1_000_000_000n);
}

/** One line's text before the path (UTF-8), e.g. "-rw-r--r-- root     root             3004 Nov 12 20:45 ". */
function longPrefix(e: ListedEntry, backupTimes: boolean): string {
  const f = e.file;
  const owner = f.user || String(f.uid);
  const group = f.group || String(f.gid);
  const when = backupTimes ? e.backupTime : mtimeSeconds(f);
  return `${modeString(f.type, f.mode)} ${owner.padEnd(8)} ${group.padEnd(8)} ${String(f.size).padStart(12)} ${formatLsDate(when)} `;
}

/** bplist's whole output as bytes (paths are written byte for byte). */
export function formatBplist(entries: readonly ListedEntry[], fmt: BplistFormat): Buffer {
  const parts: Buffer[] = [];
  for (const e of entries) {
    const prefix = fmt.long ? longPrefix(e, fmt.backupTimes) : fmt.backupTimes ? `${formatNbDateTime(e.backupTime)} ` : '';
    if (prefix) parts.push(Buffer.from(prefix, 'utf8'));
    parts.push(Buffer.from(displayPath(e.file) + '\n', 'latin1'));
  }
  return Buffer.concat(parts);
}
