// nbpem: the policy execution manager; user backups enter here from bprd.

import { message } from './message.js';
import { empty, int, obj, opt, str } from './schema.js';
import { backupJobSpec } from './nbjm.js';

export const nbpem = {
  submitBackup: message('nbpem', 'submit-backup', backupJobSpec, obj({ jobid: int })),
  /** nbjm tells nbpem how a job it submitted ended. */
  jobDone: message('nbpem', 'job-done', obj({ jobid: int, status: int, policy: str, schedule: str, client: str, ended: opt(int) }), empty),
};
