// An incremental's base: the base image's file records (NDJSON written by bpbrm), keyed by path.

import fs from 'node:fs';
import readline from 'node:readline';
import { sameVersion, type FileIdentity } from '../../protocol/file-identity.js';
import type { FileRecord } from '../../protocol/records.js';

export type BaseFiles = Map<string, FileIdentity>;

/** Reads the base records; directories are left out (an incremental always writes them). */
export async function readBaseFiles(file: string): Promise<BaseFiles> {
  const base: BaseFiles = new Map();
  const lines = readline.createInterface({ input: fs.createReadStream(file), crlfDelay: Infinity });
  for await (const line of lines) {
    if (line === '') continue;
    const r = JSON.parse(line) as FileRecord;
    if (r.type === 'd') continue;
    base.set(r.path, { type: r.type, size: r.size, mtimeNs: r.mtimeNs, ctime: r.ctime, ino: r.ino, mode: r.mode, uid: r.uid, gid: r.gid, link: r.link });
  }
  return base;
}

/** What an incremental does with a file: write it (new or changed) or only record it (unchanged). */
export function changeOf(base: BaseFiles, now: FileRecord): 'new' | 'changed' | 'unchanged' {
  const was = base.get(now.path);
  if (was === undefined) return 'new';
  return sameVersion(was, now) ? 'unchanged' : 'changed';
}
