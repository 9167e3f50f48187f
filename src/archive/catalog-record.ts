// The catalogue record of an entry read back from an image stream (bpimport): what bpbkar would have recorded.

import type { FileRecord } from '../protocol/records.js';
import { resolveStreamPath } from './path-safety.js';
import type { TarEntry } from './tar-entry.js';
import { recordOfEntry } from './metadata-capture.js';

/**
 * The .f record of a stream entry at `offset`. Times the stream does not carry (atime, ctime without pax) are
 * the modification time; inode and device are 0 (the stream does not keep them). Null for a path that cannot be
 * catalogued (a '..' component or a NUL).
 */
export function fileRecordFromEntry(entry: TarEntry, offset: number): FileRecord | null {
  const at = resolveStreamPath(entry.path);
  if (!at.ok) return null;
  let link = '';
  if (entry.type === 'symlink') link = entry.linkpath;
  if (entry.type === 'hardlink') {
    const target = resolveStreamPath(entry.linkpath);
    if (!target.ok) return null;
    link = target.abs;
  }
  const mtimeSec = Number(entry.mtimeNs / 1_000_000_000n);
  const node = {
    ctime: entry.ctimeNs !== undefined ? Number(entry.ctimeNs / 1_000_000_000n) : mtimeSec,
    atime: entry.atimeNs !== undefined ? Number(entry.atimeNs / 1_000_000_000n) : mtimeSec,
    ino: 0,
    dev: 0,
  };
  return recordOfEntry(at.abs, entry, node, offset, link);
}
