// bprd: the request daemon; user backups and restores arrive here.

import { message } from './message.js';
import { arr, bool, int, obj, opt, str } from './schema.js';
import { renamePair, requester } from './records.js';

export const bprd = {
  backup: message(
    'bprd',
    'backup',
    obj({ client: opt(str), policy: opt(str), schedule: opt(str), keyword: opt(str), paths: arr(str), requester }),
    obj({ jobid: int }),
  ),
  /** bpbackup -i: an immediate backup of a policy's clients with one of its schedules (the policy's file list). */
  manualBackup: message(
    'bprd',
    'manual-backup',
    obj({ policy: str, schedule: opt(str), client: opt(str), requester }),
    obj({ jobids: arr(int) }),
  ),
  restore: message(
    'bprd',
    'restore',
    obj({
      client: opt(str),
      destClient: opt(str),
      paths: arr(str),
      since: opt(int),
      until: opt(int),
      renames: arr(renamePair),
      keepExisting: bool,
      requester,
    }),
    obj({ jobids: arr(int), missing: arr(str) }),
  ),
};
