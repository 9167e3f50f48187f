// Removes disk fragment files: for expiration, and for cleaning up after a failed or killed bptm.

import fs from 'node:fs';
import path from 'node:path';
import type { FragmentRecord } from '../../protocol/records.js';
import { OpenbpError } from '../../protocol/errors.js';
import { checkBackupId, isFragmentPath, parseFragmentFileName, PART_SUFFIX } from './fragment-names.js';
import { errnoOf, syncDirectory } from './io-errors.js';

function unlinkIfThere(p: string, failures: string[]): boolean {
  try {
    fs.unlinkSync(p);
    return true;
  } catch (e) {
    if (errnoOf(e) !== 'ENOENT') failures.push(`${p}: ${(e as Error).message}`);
    return false;
  }
}

function syncDirs(dirs: Iterable<string>): void {
  for (const dir of dirs) {
    try {
      syncDirectory(dir);
    } catch {
      // the directory itself may be gone
    }
  }
}

/**
 * Removes the files of the given disk fragments (mediaType 0), and their `.part` leftovers.
 * Idempotent: files already gone are fine. Records of other media types are skipped. A mediaId that
 * is not an absolute path to a `<backupid>_C<copy>_F<n>.img` file is refused (never deletes anything
 * else). Throws 11 SYSTEM_CALL_FAILED listing what could not be removed, after trying all of them.
 */
export async function deleteDiskFragments(fragments: readonly FragmentRecord[]): Promise<void> {
  const failures: string[] = [];
  const dirs = new Set<string>();
  for (const f of fragments) {
    if (f.mediaType !== 0) continue;
    if (!isFragmentPath(f.mediaId)) {
      failures.push(`${f.mediaId}: not a disk fragment path`);
      continue;
    }
    if (unlinkIfThere(f.mediaId, failures)) dirs.add(path.dirname(f.mediaId));
    if (unlinkIfThere(f.mediaId + PART_SUFFIX, failures)) dirs.add(path.dirname(f.mediaId));
  }
  syncDirs(dirs);
  if (failures.length > 0) throw new OpenbpError('SYSTEM_CALL_FAILED', `cannot remove fragments: ${failures.join('; ')}`);
}

/**
 * Removes every fragment file (complete or `.part`) of one image in a unit directory, whatever a
 * killed bptm left behind; `copy` limits it to one copy. Returns the paths removed. Idempotent.
 */
export async function removeImageLeftovers(unitPath: string, backupid: string, copy?: number): Promise<string[]> {
  checkBackupId(backupid);
  const dir = path.resolve(unitPath);
  let names: string[];
  try {
    names = fs.readdirSync(dir);
  } catch (e) {
    if (errnoOf(e) === 'ENOENT') return [];
    throw new OpenbpError('SYSTEM_CALL_FAILED', `cannot list ${dir}: ${(e as Error).message}`, { cause: e });
  }
  const removed: string[] = [];
  const failures: string[] = [];
  for (const name of names) {
    const base = name.endsWith(PART_SUFFIX) ? name.slice(0, -PART_SUFFIX.length) : name;
    const parsed = parseFragmentFileName(base);
    if (!parsed || parsed.backupid !== backupid || (copy !== undefined && parsed.copy !== copy)) continue;
    const p = path.join(dir, name);
    if (unlinkIfThere(p, failures)) removed.push(p);
  }
  if (removed.length > 0) syncDirs([dir]);
  if (failures.length > 0) throw new OpenbpError('SYSTEM_CALL_FAILED', `cannot remove fragments: ${failures.join('; ')}`);
  return removed;
}

/** Removes one fragment file (or `.part`) found on a unit that no image lists; anything else is refused. */
export function removeStrayFragment(file: string): void {
  const name = path.basename(file);
  if (!path.isAbsolute(file) || !parseFragmentFileName(name.endsWith(PART_SUFFIX) ? name.slice(0, -PART_SUFFIX.length) : name)) {
    throw new OpenbpError('INVALID_REQUEST', `${file} is not a disk fragment file`);
  }
  const failures: string[] = [];
  unlinkIfThere(file, failures);
  syncDirs([path.dirname(file)]);
  if (failures.length > 0) throw new OpenbpError('SYSTEM_CALL_FAILED', `cannot remove fragments: ${failures.join('; ')}`);
}
