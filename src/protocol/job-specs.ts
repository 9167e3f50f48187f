// What a per-job process is told to do: a JSON spec file named on its command line (--spec FILE).

import { arr, bool, int, num, obj, oneOf, opt, str, type Infer } from './schema.js';
import { fragmentRecord, imageDescription, renamePair, requester, storageUnit, tapeAssignment } from './records.js';
import { restoreSubmission } from './nbjm.js';

/** bpbkar: walk these absolute paths and write a pax stream to stdout, file records to fd 3. */
export const bpbkarSpec = obj({
  jobid: int,
  backupid: str,
  client: str,
  paths: arr(str),
  /** Cross mount points (default true for user backups). */
  crossMountPoints: opt(bool),
  /**
   * Incremental: the base image's file records, a copy of its .f file list (or NDJSON, one record a line);
   * unchanged files are recorded, not written.
   */
  baseFiles: opt(str),
  /** A user-directed backup by a user other than the master's owner: read the files with that user's rights. */
  runAs: opt(requester),
});
export type BpbkarSpec = Infer<typeof bpbkarSpec>;

/** nbtar: read a pax stream from stdin and restore the selected entries. */
export const nbtarSpec = obj({
  jobid: int,
  /** Absolute source paths selected for restore; entries outside them are skipped. */
  selections: arr(str),
  /** NetBackup rename pairs (change FROM to TO), applied longest FROM first. */
  renames: arr(renamePair),
  keepExisting: bool,
  /** Restore owners (root only; otherwise files belong to the restoring user). */
  restoreOwnership: bool,
  /**
   * A restore asked by a user other than the master's owner: write with that user's rights (files end up
   * theirs) and restore only the entries recorded as owned by their uid.
   */
  runAs: opt(requester),
});
export type NbtarSpec = Infer<typeof nbtarSpec>;

/** bptm: move an image between a pipe and a storage unit through the shared-memory ring. */
export const bptmSpec = obj({
  jobid: int,
  backupid: str,
  direction: oneOf('write', 'read'),
  unit: storageUnit,
  /** Shared-memory ring geometry, read from db/config at job start by bpbrm. */
  numberOfBuffers: int,
  bufferSize: int,
  /** Read only: the fragments to read, in order, and the stream range wanted (end exclusive, -1 = to the end). */
  fragments: opt(arr(fragmentRecord)),
  rangeStart: opt(num),
  rangeEnd: opt(num),
  copy: int,
  retentionLevel: int,
  expiration: int,
  /** Where the buffer file goes (default /dev/shm). */
  shmDir: opt(str),
  /** Write: compress each block (brotli) / encrypt each block (AES-256-GCM) at rest. */
  compress: opt(bool),
  encrypt: opt(bool),
  /** The key file (bpkeyutil): write takes its active key, read the keys the blocks name. */
  keyFile: opt(str),
  /** Read: the image's block index from the catalogue (base64 of the .blk file); absent for images written without one. */
  blockIndex: opt(str),
  /** Tape units: the drive and volumes nbrb allocated. */
  tape: opt(tapeAssignment),
  /** Write only: client, policy and schedule of the image, for the tape backup headers. */
  image: opt(imageDescription),
});
export type BptmSpec = Infer<typeof bptmSpec>;

/** bpbrm: run one backup, restore or verify job on this media server (verify: read the whole image and check it). */
export const bpbrmSpec = obj({
  jobid: int,
  kind: oneOf('backup', 'restore', 'verify'),
  client: str,
  unit: storageUnit,
  backupid: str,
  /** Backup: the selections. */
  paths: arr(str),
  retentionLevel: int,
  expiration: int,
  /** Restore: the image's fragments, the selections, renames. */
  fragments: arr(fragmentRecord),
  renames: arr(renamePair),
  keepExisting: bool,
  restoreOwnership: bool,
  /** Incremental backup: the image whose file records decide what changed. */
  baseBackupid: opt(str),
  /** Restore: the part of the image stream to read (end exclusive, -1 = to the end); absent = all. */
  rangeStart: opt(num),
  rangeEnd: opt(num),
  /** Backup: the policy's compression and encryption at rest. */
  compress: opt(bool),
  encrypt: opt(bool),
  /** The user whose rights bpbkar / nbtar take (absent: the media server's own, i.e. root's). */
  runAs: opt(requester),
  /** Tape units: the drive and volumes nbrb allocated. */
  tape: opt(tapeAssignment),
  /** Backup: client, policy and schedule of the image, handed to bptm for the tape backup headers. */
  image: opt(imageDescription),
});
export type BpbrmSpec = Infer<typeof bpbrmSpec>;

/**
 * bprd's restore child (`bprd -restore_child FILE`): a restore that reads tape. It submits `submit` to nbjm,
 * answers on stdout with one line (restoreChildReply), waits for the jobs to end and then removes the
 * neededimage files the jobs named and its own spec file, whatever happened.
 */
export const restoreChildSpec = obj({ submit: restoreSubmission });
export type RestoreChildSpec = Infer<typeof restoreChildSpec>;

/** The restore child's one line on stdout: the jobs it submitted, or the error (status code name and words) it failed with. */
export const restoreChildReply = obj({ jobids: opt(arr(int)), error: opt(obj({ code: str, status: int, message: str })) });
export type RestoreChildReply = Infer<typeof restoreChildReply>;
