// Names of disk fragment files: <backupid>_C<copy>_F<n>.img, written as <name>.part until complete.

import path from 'node:path';
import { OpenbpError } from '../../protocol/errors.js';

/** Suffix of a fragment file still being written (renamed away when the fragment is durable). */
export const PART_SUFFIX = '.part';

const BACKUP_ID = /^[A-Za-z0-9][A-Za-z0-9._+-]*$/;
const FRAGMENT_FILE = /^(.+)_C(\d+)_F(\d+)\.img$/;

/** Throws 20 INVALID_PARAMETER unless the backup id is safe as a file name prefix (no '/', no leading '.'). */
export function checkBackupId(backupid: string): void {
  if (!BACKUP_ID.test(backupid) || backupid.length > 200) {
    throw new OpenbpError('INVALID_PARAMETER', `backup id '${backupid}' cannot name a disk fragment`);
  }
}

export function fragmentFileName(backupid: string, copy: number, fragment: number): string {
  return `${backupid}_C${copy}_F${fragment}.img`;
}

/** The parts of a fragment file name, or undefined when the name is not one. */
export function parseFragmentFileName(name: string): { backupid: string; copy: number; fragment: number } | undefined {
  const m = FRAGMENT_FILE.exec(name);
  if (!m) return undefined;
  return { backupid: m[1]!, copy: Number(m[2]), fragment: Number(m[3]) };
}

/** True when p is an absolute path whose last component is a fragment file name (what deletion accepts). */
export function isFragmentPath(p: string): boolean {
  return path.isAbsolute(p) && parseFragmentFileName(path.basename(p)) !== undefined && !p.split('/').includes('..');
}
