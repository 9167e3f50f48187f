// nbjm: the job manager; takes jobs from nbpem and bprd, runs them through bpbrm.

import { message } from './message.js';
import { arr, bool, empty, int, num, obj, oneOf, opt, str, type Infer } from './schema.js';
import { mountableVolume, renamePair, requester, schedType } from './records.js';

export const backupJobSpec = obj({
  client: str,
  policy: str,
  policyType: int,
  schedule: str,
  schedType: schedType,
  retentionLevel: int,
  priority: int,
  residence: str,
  keyword: str,
  paths: arr(str),
  requester,
  /** 0 immediate, 1 scheduled, 2 user-initiated. */
  subtype: int,
  /** The policy's "Limit jobs per policy" (0 or absent = unlimited). */
  maxPolicyJobs: opt(int),
  /** The policy's compression and encryption at rest (bpplinfo -compress / -encrypt). */
  compress: opt(bool),
  encrypt: opt(bool),
  /** The policy's volume pool for tape units (absent = NetBackup). */
  pool: opt(str),
  /** The policy allows multiple data streams: the paths split into streams, one child job each (backup-streams.ts). */
  multipleStreams: opt(bool),
  /** Scheduled jobs: the window closes then (epoch seconds); a try still waiting for resources ends with 196. */
  startBy: opt(int),
  /** Scheduled jobs: how many tries it may make (nbpem's BACKUP_TRIES left in the period) and the delay between them. */
  retry: opt(obj({ tries: int, delaySeconds: int })),
});

export const restoreJobSpec = obj({
  client: str,
  destClient: str,
  backupid: str,
  paths: arr(str),
  renames: arr(renamePair),
  keepExisting: bool,
  requester,
  priority: int,
  /** The part of the image stream to read (end exclusive, -1 = to the end); absent = all of it. */
  rangeStart: opt(num),
  rangeEnd: opt(num),
  /** The neededimage file bprd wrote for this restore (tape media and positions); nbjm removes it at the end. */
  neededImage: opt(str),
});

/** A restore request as nbjm takes it: `sequential` runs the jobs one after another (a point in time across images). */
export const restoreSubmission = obj({ jobs: arr(restoreJobSpec), sequential: opt(bool) });
export type RestoreSubmission = Infer<typeof restoreSubmission>;

/** A verify job: read image `backupid` back whole and check its fragments' checksums and its tar stream. */
export const verifyJobSpec = obj({
  backupid: str,
  requester,
  priority: int,
});

export const nbjm = {
  submitBackup: message('nbjm', 'submit-backup', backupJobSpec, obj({ jobid: int })),
  /** `sequential`: run the jobs one after another in the order given (a point in time rebuilt across images). */
  submitRestore: message('nbjm', 'submit-restore', restoreSubmission, obj({ jobids: arr(int) })),
  /** bpverify: one verify job (bpdbjobs type 3) per image, run one after another in the order given. */
  submitVerify: message('nbjm', 'submit-verify', obj({ jobs: arr(verifyJobSpec) }), obj({ jobids: arr(int) })),
  /**
   * bptm cannot go on with its tape volume (end of media, write-protected, unusable header): nbjm has
   * nbrb mark it and hands back the next volume of the job's pool, or fails with 96.
   */
  nextMedia: message('nbjm', 'next-media', obj({ jobid: int, mediaId: str, reason: oneOf('full', 'write-protected', 'unusable') }), obj({ volume: mountableVolume })),
  /** bpbrm reports how its job ended. */
  jobFinished: message(
    'nbjm',
    'job-finished',
    obj({ jobid: int, status: int, kbytes: int, files: int, message: opt(str) }),
    empty,
  ),
};
