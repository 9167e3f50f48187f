// bprd: the request daemon; user backups and restores arrive here. On its user-request socket (other
// users) the requester is who the kernel says connected, whatever the body claims.

import { message } from './message.js';
import { arr, bool, int, obj, opt, str } from './schema.js';
import { renamePair, requester } from './records.js';
import { bpdbm } from './bpdbm.js';
import { bpjobd } from './bpjobd.js';

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
    /** denied: requested paths a non-root requester did not own when they were backed up (not restored). */
    obj({ jobids: arr(int), missing: arr(str), denied: opt(arr(str)) }),
  ),
  /** bplist for a user who is not the master's owner: bpdbm's answer, only the entries the requester owned at backup time. */
  listFiles: message('bprd', 'list-files', bpdbm.listFiles.request, bpdbm.listFiles.reply),
  /** bpbackup/bprestore -w for such a user: their own jobs only. */
  waitJob: message('bprd', 'wait-job', bpjobd.wait.request, bpjobd.wait.reply),
  listJobs: message('bprd', 'list-jobs', obj({ jobids: arr(int) }), bpjobd.list.reply),
};
