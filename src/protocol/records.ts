// The records that travel between processes: jobs, images, fragments, file entries, storage units, policies.

import { arr, bool, int, num, obj, oneOf, opt, str, tuple, type Infer } from './schema.js';

/** bpdbjobs job types (numeric codes as NetBackup). */
export const JOB_TYPE = { backup: 0, archive: 1, restore: 2, verify: 3, duplicate: 4, import: 5, label: 8, cleanup: 17 } as const;
/** bpdbjobs states. */
export const JOB_STATE = { queued: 0, active: 1, requeued: 2, done: 3, suspended: 4, incomplete: 5 } as const;
/** Schedule types: numeric code, header-file token, long name. */
export const SCHED_TYPES = {
  FULL: { code: 0, name: 'Full Backup' },
  INCR: { code: 1, name: 'Differential Incremental' },
  UBAK: { code: 2, name: 'User Backup' },
  UARC: { code: 3, name: 'User Archive' },
  CINC: { code: 4, name: 'Cumulative Incremental' },
} as const;
export type SchedType = keyof typeof SCHED_TYPES;
export const schedType = oneOf('FULL', 'INCR', 'UBAK', 'UARC', 'CINC');

/**
 * One try of a job (bpdbjobs -all_columns prints them after `trycount`). The try number is its place
 * in `JobRecord.tries` (1 = first). A try begins when the job gets (or, for status 196, gives up
 * waiting for) its resources and ends with a status; a failed scheduled backup may get another try
 * (nbpem's BACKUP_TRIES). Status lines are appended to the job's current (last) try only, through
 * bpjobd.update's `tryLines`; bpjobd stamps each `MM/DD/YYYY HH:MM:SS - text`.
 */
export const tryRecord = obj({
  pid: int,
  stunit: str,
  server: str,
  started: int,
  /** 0 while the try runs. */
  ended: int,
  /** The try's NetBackup status; absent while it runs. */
  status: opt(int),
  statusLines: arr(str),
  kbytes: int,
  files: int,
});
export type TryRecord = Infer<typeof tryRecord>;

/**
 * The tape resources a running job holds, as nbrb granted them: robot number, drive index, the volume written
 * (backups), the pool, the volumes read (restores, verifies). Kept in the job record so that a restarted nbrb
 * rebuilds the allocation with its drive and volumes.
 */
export const jobTapeResources = obj({ robot: int, drive: int, volume: opt(str), pool: str, readVolumes: arr(str) });
export type JobTapeResources = Infer<typeof jobTapeResources>;

export const jobRecord = obj({
  jobid: int,
  jobtype: int,
  state: int,
  status: opt(int),
  policy: str,
  schedule: str,
  client: str,
  server: str,
  started: int,
  ended: int,
  stunit: str,
  operation: int,
  kbytes: int,
  files: int,
  pathLastWritten: str,
  percent: int,
  jobpid: int,
  owner: str,
  group: str,
  subtype: int,
  policyType: int,
  schedType: int,
  priority: int,
  retentionLevel: int,
  retentionPeriodDays: int,
  compression: int,
  fileList: arr(str),
  tries: arr(tryRecord),
  backupid: str,
  parentJob: int,
  /** Why a queued job waits (bpdbjobs shows it). */
  stateDetail: str,
  /** Multiple data streams: the stream (1..) a child job backs up; absent otherwise. */
  stream: opt(int),
  /** Tape jobs: the drive and volumes nbrb allocated (while the job runs). */
  tape: opt(jobTapeResources),
});
export type JobRecord = Infer<typeof jobRecord>;

export const fragmentRecord = obj({
  copy: int,
  fragment: int,
  kbytes: int,
  remainder: int,
  mediaType: int,
  density: int,
  fileNumber: int,
  mediaId: str,
  host: str,
  blockSize: int,
  offset: int,
  mediaDate: int,
  devWritten: int,
  flags: int,
  expiration: int,
  retentionLevel: int,
  /** Byte offset of this fragment in the image's data stream. */
  streamOffset: int,
  /** Bytes of data in this fragment. */
  bytes: int,
  /** sha256 of the fragment's bytes, hex. */
  checksum: str,
  /** Encrypted images: the tag of the key (bpkeyutil) the fragment's blocks are encrypted with (FRAG kms_key_tag). */
  keyTag: opt(str),
});
export type FragmentRecord = Infer<typeof fragmentRecord>;

export const imageRecord = obj({
  client: str,
  backupid: str,
  policy: str,
  policyType: int,
  schedLabel: str,
  schedType: schedType,
  retentionLevel: int,
  backupTime: int,
  elapsed: int,
  expiration: int,
  compression: int,
  encryption: int,
  kbytes: int,
  numFiles: int,
  copies: int,
  numFragments: int,
  keyword: str,
  jobid: int,
  creator: str,
  primaryCopy: int,
  backupStatus: int,
  stunit: str,
  fragments: arr(fragmentRecord),
  /** Multiple data streams: the stream (1..) this image holds; absent for a single-stream backup. */
  streamNumber: opt(int),
});
export type ImageRecord = Infer<typeof imageRecord>;

/** File types in the catalogue: regular, directory, symlink, hard link, fifo, char/block device, socket. */
export const fileType = oneOf('f', 'd', 'l', 'h', 'p', 'c', 'b', 's');
export type FileType = Infer<typeof fileType>;

/** One file as the catalogue keeps it (a line of the image's .f file). */
export const fileRecord = obj({
  path: str,
  type: fileType,
  mode: int,
  uid: int,
  gid: int,
  user: str,
  group: str,
  size: num,
  /** Modification time in nanoseconds since the epoch, as a decimal string (exceeds 2^53). */
  mtimeNs: str,
  ctime: int,
  atime: int,
  ino: num,
  dev: num,
  /** Byte offset of the entry's first tar header in the image stream. */
  offset: num,
  /** Symlink target or hard-link target (byte path); empty otherwise. */
  link: str,
  /** 1 (default): the entry's data is in this image; 0: recorded only (unchanged since the base of an incremental). */
  inImage: opt(int),
});
export type FileRecord = Infer<typeof fileRecord>;

export const storageUnit = obj({
  label: str,
  type: oneOf('disk', 'tape'),
  path: str,
  host: str,
  concurrentJobs: int,
  maxFragmentMB: int,
  highWaterMark: int,
  lowWaterMark: int,
  onDemandOnly: bool,
  maxMpx: int,
  /** Tape (Media Manager) units: the drive type (hcart3, ...) and the robot the unit's drives are in. */
  density: opt(str),
  robotType: opt(str),
  robotNumber: opt(int),
});
export type StorageUnit = Infer<typeof storageUnit>;

/** A backup window: opens on `day` (0 = Sunday) at `start` seconds after midnight, for `duration` seconds (may cross midnight). */
export const scheduleWindow = obj({ day: int, start: int, duration: int });
export type ScheduleWindow = Infer<typeof scheduleWindow>;

export const scheduleRecord = obj({
  name: str,
  type: schedType,
  retentionLevel: int,
  frequencySeconds: int,
  /** At most one window per weekday; absent or empty = no window defined. */
  windows: opt(arr(scheduleWindow)),
  /** Maximum multiplexing for the schedule (default 1). */
  maxMpx: opt(int),
  /** bpplsched -cal: 1 calendar-based, no retries after the run day; 2 calendar-based, retries allowed after it; absent or 0 frequency-based. */
  calendar: opt(int),
  /** Calendar run days: specific dates (-incl), local calendar dates `YYYY-MM-DD`. */
  includeDates: opt(arr(str)),
  /** Dates on which the schedule never runs (-excl), calendar- or frequency-based, `YYYY-MM-DD`. */
  excludeDates: opt(arr(str)),
  /** Calendar run days: a weekday (0 = Sunday) of a week of the month (1-4, 5 = the last such weekday) (-weekday). */
  weekdays: opt(arr(obj({ day: int, week: int }))),
  /** Calendar run days: days of the month 1-31, 0 = the last day (-dayomonth). */
  monthDays: opt(arr(int)),
});
export type ScheduleRecord = Infer<typeof scheduleRecord>;

export const policyRecord = obj({
  name: str,
  policyType: int,
  active: bool,
  residence: str,
  pool: str,
  priority: int,
  maxJobs: int,
  keyword: str,
  clients: arr(tuple(str, tuple(str, str))),
  include: arr(str),
  schedules: arr(scheduleRecord),
  created: int,
  /** bpplinfo -compress: client-side compression (default no). */
  compress: opt(bool),
  /** bpplinfo -chkpt: checkpoint restart (default no). */
  checkpoint: opt(bool),
  /** bpplinfo -multiple_streams: multiple data streams (default no). */
  multipleStreams: opt(bool),
  /** bpplinfo -encrypt: encryption at rest, AES-256-GCM per block with the active bpkeyutil key (default no). */
  encrypt: opt(bool),
});
export type PolicyRecord = Infer<typeof policyRecord>;

export const renamePair = tuple(str, str);
export const requester = obj({ uid: int, gid: int, user: str, host: str });
export type Requester = Infer<typeof requester>;

// ---- Media manager (nbemm): robots, drives, volume pools, volumes ----

/** A robot (tape library): number, type (TLD), and its control path (a vtladm library DIR or a changer /dev/sg*). */
export const robotRecord = obj({ number: int, type: str, path: str, host: str });
export type RobotRecord = Infer<typeof robotRecord>;

/** A tape drive: index (tpconfig's drive index), density type, device path, robot attachment, UP/DOWN. */
export const driveRecord = obj({
  index: int,
  name: str,
  type: str,
  path: str,
  robotNumber: opt(int),
  robotType: opt(str),
  robotDrive: opt(int),
  status: oneOf('UP', 'DOWN'),
});
export type DriveRecord = Infer<typeof driveRecord>;

export const volumePool = obj({ number: int, name: str, description: str });
export type VolumePool = Infer<typeof volumePool>;

/** One volume (cartridge) in the volume database. Dates are epoch seconds, 0 = never. Status bits: 0x1 FROZEN, 0x2 SUSPENDED, 0x8 FULL. */
export const volumeRecord = obj({
  mediaId: str,
  barcode: str,
  density: str,
  description: str,
  pool: int,
  previousPool: int,
  robotType: str,
  robotNumber: opt(int),
  slot: opt(int),
  volumeGroup: str,
  created: int,
  assigned: int,
  firstMount: int,
  lastMount: int,
  lastWritten: int,
  lastRead: int,
  expiration: int,
  mounts: int,
  status: int,
  retentionLevel: int,
  kbytes: int,
  images: int,
  validImages: int,
  restores: int,
});
export type VolumeRecord = Infer<typeof volumeRecord>;

/**
 * Client, policy and schedule of a backup image, as bptm writes them into every tape backup header so that
 * bpimport can rebuild the image's catalogue entry from the cartridge alone. schedType is the SCHED_TYPES code.
 */
export const imageDescription = obj({ client: str, policy: str, policyType: int, schedLabel: str, schedType: int });
export type ImageDescriptionRecord = Infer<typeof imageDescription>;

/** A volume a tape job may mount: its media ID and the barcode the robot knows it by. */
export const mountableVolume = obj({ mediaId: str, barcode: str });
export type MountableVolume = Infer<typeof mountableVolume>;

/**
 * What nbrb gave a tape job: a drive of the unit's robot, and for a backup the volume to write (from the
 * policy's pool, or the scratch pool); for a restore the volumes holding the fragments to read.
 */
export const tapeAssignment = obj({
  robot: robotRecord,
  drive: driveRecord,
  /** Backup: the volume to append to. */
  volume: opt(mountableVolume),
  /** Backup: the volume pool the job writes to. */
  pool: str,
  /** Restore and verify: the volumes the job reads, in the order it needs them. */
  readVolumes: arr(mountableVolume),
});
export type TapeAssignment = Infer<typeof tapeAssignment>;
// ---- bpimport: images found on a cartridge (phase 1), waiting to be imported (phase 2) ----

/** One fragment of an image as its backup header on a cartridge describes it. */
export const importFragment = obj({
  mediaId: str,
  /** Tape file number of the fragment (its BH is the file's first record). */
  fileNumber: int,
  copy: int,
  fragment: int,
  streamOffset: int,
  blockSize: int,
  flags: int,
  /** When the BH was written (epoch seconds). */
  written: int,
  /** Media server that read it in phase 1, and the density code of the cartridge. */
  host: str,
  density: int,
});
export type ImportFragment = Infer<typeof importFragment>;

/**
 * An image bpimport phase 1 found on one or more cartridges. `described` is false when the backup headers
 * carried no client/policy/schedule (the client then comes from the backup ID; policy and schedule are IMPORTED).
 */
export const importCandidate = obj({
  backupid: str,
  client: str,
  policy: str,
  policyType: int,
  schedLabel: str,
  schedType: schedType,
  backupTime: int,
  retentionLevel: int,
  expiration: int,
  described: bool,
  /** Fragments found so far, across cartridges, by stream offset. */
  fragments: arr(importFragment),
  /** When phase 1 last recorded it (epoch seconds). */
  found: int,
});
export type ImportCandidate = Infer<typeof importCandidate>;
