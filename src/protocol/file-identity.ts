// What makes two catalogue records of one path the same version of a file (incremental change detection).

import type { FileRecord } from './records.js';

export type FileIdentity = Pick<FileRecord, 'type' | 'size' | 'mtimeNs' | 'ctime' | 'ino' | 'mode' | 'uid' | 'gid' | 'link'>;

/**
 * True when `now` is the version `base` recorded: same type, size, modification time (ns), inode
 * change time, inode, mode, owner and link target. ctime catches metadata-only changes and ino
 * replaced files; the catalogue keeps ctime in whole seconds, so mode and owner are compared too
 * (a chmod in the second of the last backup).
 */
export function sameVersion(base: FileIdentity | undefined, now: FileIdentity): boolean {
  return (
    base !== undefined &&
    base.type === now.type &&
    base.size === now.size &&
    base.mtimeNs === now.mtimeNs &&
    base.ctime === now.ctime &&
    base.ino === now.ino &&
    base.mode === now.mode &&
    base.uid === now.uid &&
    base.gid === now.gid &&
    base.link === now.link
  );
}
