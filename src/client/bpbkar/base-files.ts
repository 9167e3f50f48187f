// An incremental's base: the base image's file records (a copy of its .f file list, or NDJSON), keyed by path.

import fs from 'node:fs';
import readline from 'node:readline';
import { sameVersion, type FileIdentity } from '../../protocol/file-identity.js';
import type { FileRecord } from '../../protocol/records.js';
import { FilesReader } from '../../formats/files-file.js';

export type BaseFiles = Map<string, FileIdentity>;

const FILES_MAGIC = Buffer.from('OBPFILES', 'latin1');

function identityOf(r: FileRecord): FileIdentity {
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

/** Reads the base records; directories are left out (an incremental always writes them). */
export async function readBaseFiles(file: string): Promise<BaseFiles> {
  const base: BaseFiles = new Map();
  if (isFilesFile(file)) {
    // The .f as bpdbm keeps it: decoded a block at a time, no JSON.
    const r = FilesReader.open(file);
    try {
      for (const e of r.entries()) if (e.type !== 'd') base.set(e.path, identityOf(e));
    } finally {
      r.close();
    }
    return base;
  }
  const lines = readline.createInterface({ input: fs.createReadStream(file), crlfDelay: Infinity });
  for await (const line of lines) {
    if (line === '') continue;
    const r = JSON.parse(line) as FileRecord;
    if (r.type === 'd') continue;
    base.set(r.path, identityOf(r));
  }
  return base;
}

/** What an incremental does with a file: write it (new or changed) or only record it (unchanged). */
export function changeOf(base: BaseFiles, now: FileRecord): 'new' | 'changed' | 'unchanged' {
  const was = base.get(now.path);
  if (was === undefined) return 'new';
  return sameVersion(was, now) ? 'unchanged' : 'changed';
}
