// A client process taking a user's rights (user-directed jobs): groups, gid, then uid, for good.

import { OpenbpError } from '../protocol/errors.js';
import type { Requester } from '../protocol/records.js';

/**
 * Becomes `user` (supplementary groups from the group database, primary gid, uid). Irreversible: from here
 * the kernel decides what the job may read or write. A process already running as that uid changes nothing;
 * one that is neither root nor that user cannot act for it (135).
 */
export function becomeUser(user: Requester): void {
  const uid = process.getuid?.();
  if (uid === user.uid) return;
  // process.initgroups is POSIX-only and missing from @types/node.
  const p = process as NodeJS.Process & { initgroups?: (user: string | number, extraGroup: number) => void };
  if (uid !== 0 || !p.setuid || !p.setgid || !p.setgroups || !p.initgroups) {
    throw new OpenbpError('NOT_VALIDATED_FOR_OPERATION', `cannot act for uid ${user.uid}: this process runs as uid ${uid ?? '?'}, not root`);
  }
  try {
    p.initgroups(user.user !== '' ? user.user : user.uid, user.gid);
  } catch {
    // No entry in the user database: the primary group alone.
    p.setgroups([user.gid]);
  }
  p.setgid(user.gid);
  p.setuid(user.uid);
  if (p.getuid?.() !== user.uid || p.geteuid?.() !== user.uid) {
    throw new OpenbpError('SYSTEM_ERROR', `could not switch to uid ${user.uid}`);
  }
}
