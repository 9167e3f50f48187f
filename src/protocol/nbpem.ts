// nbpem: the policy execution manager; user backups enter here from bprd.

import { message } from './message.js';
import { arr, bool, empty, int, obj, opt, str } from './schema.js';
import { backupJobSpec } from './nbjm.js';

export const nbpem = {
  submitBackup: message('nbpem', 'submit-backup', backupJobSpec, obj({ jobid: int })),
  /** nbjm tells nbpem how a job it submitted ended. */
  jobDone: message('nbpem', 'job-done', obj({ jobid: int, status: int, policy: str, schedule: str, client: str, ended: opt(int) }), empty),
  /** The scheduled backups and when each is due and can run (nbpemreq -due / -predict). */
  plan: message(
    'nbpem',
    'plan',
    obj({ at: opt(int) }),
    obj({
      now: int,
      entries: arr(obj({ policy: str, schedule: str, schedType: str, client: str, dueAt: int, runAt: opt(int), runnable: bool, running: bool })),
    }),
  ),
  /** Submits every backup due now (what the timer does; `nbpem -once` from cron asks for it). */
  runDue: message('nbpem', 'run-due', empty, obj({ jobids: arr(int) })),
  /** Runs an image cleanup job now (bpimage -cleanup) and answers when it has ended. */
  cleanupImages: message('nbpem', 'cleanup-images', empty, obj({ jobid: int, status: int, removed: arr(str), kept: arr(str) })),
};
