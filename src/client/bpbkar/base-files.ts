// An incremental's base: the base image's file records (a copy of its .f file list, or NDJSON), looked up by path.
//
// The .f lists a backup in walk order (a directory before its contents, names in byte order), the order
// bpbkar walks in again: the base is read alongside the walk, a block at a time, each path compared with
// the next records only, with no map of every path in memory. Should either side leave that order (the
// selections listed in another order than the base's, a .f written in another order), the rest of the
// lookups go through a map of the whole base, read again from the start. A lookup never answers with
// another path's record; before a disorder is seen it may answer "not in the base" for a file that is
// further on, and that file is written again (never left out).

import fs from 'node:fs';
import readline from 'node:readline';
import { sameVersion, type FileIdentity } from '../../protocol/file-identity.js';
import type { FileRecord } from '../../protocol/records.js';
import { FilesReader, type FilesEntry } from '../../formats/files-file.js';

export interface BaseFiles {
  /** The base's record of a file (directories are not kept: an incremental always writes them). */
  get(path: string): FileIdentity | undefined;
  /** Lets go of the base file. */
  close(): void;
}

const FILES_MAGIC = Buffer.from('OBPFILES', 'latin1');
const SLASH = 0x2f;

function identityOf(r: FileRecord | FilesEntry): FileIdentity {
  return { type: r.type, size: r.size, mtimeNs: r.mtimeNs, ctime: r.ctime, ino: r.ino, mode: r.mode, uid: r.uid, gid: r.gid, link: r.link };
}

function isFilesFile(file: string): boolean {
  const fd = fs.openSync(file, 'r');
  try {
    const head = Buffer.alloc(FILES_MAGIC.length);
    return fs.readSync(fd, head, 0, head.length, 0) === head.length && head.equals(FILES_MAGIC);
  } finally {
    fs.closeSync(fd);
  }
}

/**
 * Walk order of two absolute paths: component by component, names by their bytes (latin1 strings), an
 * ancestor before its descendants ('/' sorts below every byte a name can hold).
 */
export function walkOrder(a: string, b: string): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const x = a.charCodeAt(i);
    const y = b.charCodeAt(i);
    if (x !== y) return (x === SLASH ? -1 : x) - (y === SLASH ? -1 : y);
  }
  return a.length - b.length;
}

class MapBase implements BaseFiles {
  constructor(private readonly map: Map<string, FileIdentity>) {}
  get(path: string): FileIdentity | undefined {
    return this.map.get(path);
  }
  close(): void {
    this.map.clear();
  }
}

function mapOfEntries(entries: Iterable<FilesEntry>): MapBase {
  const map = new Map<string, FileIdentity>();
  for (const e of entries) if (e.type !== 'd') map.set(e.path, identityOf(e));
  return new MapBase(map);
}

/** The .f read alongside the walk; a map of it once the lookups or the file leave walk order. */
class OrderedBase implements BaseFiles {
  private reader: FilesReader | undefined;
  private entries: Iterator<FilesEntry> | undefined;
  /** The next base record not yet passed (undefined at the end). */
  private next: FilesEntry | undefined;
  private lastAsked = '';
  private fallback: MapBase | undefined;

  constructor(file: string) {
    this.reader = FilesReader.open(file);
    this.entries = this.reader.entries();
    this.advance();
  }

  private advance(): void {
    const prev = this.next;
    const r = this.entries!.next();
    this.next = r.done ? undefined : r.value;
    if (prev !== undefined && this.next !== undefined && walkOrder(prev.path, this.next.path) >= 0) this.leaveOrder();
  }

  /** From the start again, through the descriptor already open (bpbkar may have given up root's rights since). */
  private leaveOrder(): void {
    this.fallback = mapOfEntries(this.reader!.entries());
    this.closeReader();
    this.next = undefined;
  }

  get(path: string): FileIdentity | undefined {
    // The next record itself lies after every earlier lookup (those before it were passed): no comparison.
    if (this.mapped() === undefined && this.next?.path !== path && this.lastAsked !== '' && walkOrder(this.lastAsked, path) >= 0) this.leaveOrder();
    this.lastAsked = path;
    while (this.mapped() === undefined && this.next !== undefined && this.next.path !== path && walkOrder(this.next.path, path) < 0) this.advance();
    const map = this.mapped();
    if (map !== undefined) return map.get(path);
    const e = this.next;
    if (e === undefined || e.path !== path) return undefined;
    this.advance();
    return e.type === 'd' ? undefined : e;
  }

  /** The map, once the lookups or the file left walk order (a method: it changes under the calls above). */
  private mapped(): MapBase | undefined {
    return this.fallback;
  }

  private closeReader(): void {
    this.reader?.close();
    this.reader = undefined;
    this.entries = undefined;
  }

  close(): void {
    this.closeReader();
    this.fallback?.close();
  }
}

/** Opens the base records: a .f is read alongside the walk; NDJSON (older jobs, tests) into a map. */
export async function readBaseFiles(file: string): Promise<BaseFiles> {
  if (isFilesFile(file)) return new OrderedBase(file);
  const map = new Map<string, FileIdentity>();
  const lines = readline.createInterface({ input: fs.createReadStream(file), crlfDelay: Infinity });
  for await (const line of lines) {
    if (line === '') continue;
    const r = JSON.parse(line) as FileRecord;
    if (r.type === 'd') continue;
    map.set(r.path, identityOf(r));
  }
  return new MapBase(map);
}

/** What an incremental does with a file: write it (new or changed) or only record it (unchanged). */
export function changeOf(base: BaseFiles, now: FileRecord): 'new' | 'changed' | 'unchanged' {
  const was = base.get(now.path);
  if (was === undefined) return 'new';
  return sameVersion(was, now) ? 'unchanged' : 'changed';
}
