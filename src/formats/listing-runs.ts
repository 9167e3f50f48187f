// A file listing's runs as they cross a socket (bpdbm.listFiles, bprd.listFiles): .f block payloads in base64.

import { decodeBlock, encodeEntries, type FilesEntry } from './files-file.js';

export interface ListingRunWire {
  backupid: string;
  backupTime: number;
  count: number;
  entries: string;
}

/** The entries of one run. */
export function decodeRun(run: ListingRunWire): FilesEntry[] {
  return decodeBlock(Buffer.from(run.entries, 'base64'), run.count);
}

/** A run holding `entries` of one image. */
export function encodeRun(backupid: string, backupTime: number, entries: readonly FilesEntry[]): ListingRunWire {
  return { backupid, backupTime, count: entries.length, entries: encodeEntries(entries).toString('base64') };
}
