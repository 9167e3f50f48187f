// NetBackup status codes: the one table mapping openbp's error codes to status numbers and messages.

export interface StatusEntry {
  readonly status: number;
  readonly message: string;
  readonly action?: string;
}

/** Every status openbp can report, by code name. Numbers and wording are NetBackup's. */
export const STATUS = {
  OK: { status: 0, message: 'the requested operation was successfully completed' },
  PARTIAL: {
    status: 1,
    message: 'the requested operation was partially successful',
    action: 'Check the job details (bpdbjobs -jobid N -all_columns) for the files that could not be backed up or restored.',
  },
  NONE_BACKED_UP: { status: 2, message: 'none of the requested files were backed up' },
  RESTORE_FAILED: { status: 5, message: 'the restore failed to recover the requested files' },
  BACKUP_FAILED: { status: 6, message: 'the backup failed to back up the requested files' },
  ALLOCATION_FAILED: { status: 10, message: 'allocation failed' },
  SYSTEM_CALL_FAILED: { status: 11, message: 'system call failed' },
  FILE_OPEN_FAILED: { status: 12, message: 'file open failed' },
  FILE_READ_FAILED: { status: 13, message: 'file read failed' },
  FILE_WRITE_FAILED: { status: 14, message: 'file write failed' },
  INVALID_PARAMETER: {
    status: 20,
    message: 'invalid command parameter',
    action: 'Check the command line against the command usage (--help or the man page).',
  },
  SOCKET_OPEN_FAILED: { status: 21, message: 'socket open failed' },
  SOCKET_READ_FAILED: { status: 23, message: 'socket read failed' },
  SOCKET_WRITE_FAILED: { status: 24, message: 'socket write failed' },
  CANNOT_CONNECT: {
    status: 25,
    message: 'cannot connect on socket',
    action: 'Check that the openbp daemons run (bpps); start them with bp.start_all.',
  },
  HANDSHAKE_FAILED: { status: 26, message: 'client/server handshaking failed' },
  EXEC_FAILED: { status: 29, message: 'failed trying to exec a command' },
  MKDIR_FAILED: { status: 35, message: 'cannot make required directory' },
  MEMORY_FAILED: { status: 36, message: 'failed trying to allocate memory' },
  NETWORK_BROKEN: { status: 40, message: 'network connection broken' },
  NETWORK_TIMEOUT: { status: 41, message: 'network connection timed out' },
  NETWORK_READ_FAILED: { status: 42, message: 'network read failed' },
  NETWORK_WRITE_FAILED: { status: 44, message: 'network write failed' },
  CLIENT_NOT_STARTED: { status: 49, message: 'client did not start' },
  CANNOT_CONNECT_TO_CLIENT: { status: 58, message: "can't connect to client" },
  CLIENT_ABORTED: { status: 50, message: 'client process aborted' },
  KILLED_BY_SIGNAL: { status: 63, message: 'process was killed by a signal' },
  FILELIST_READ_FAILED: { status: 67, message: 'client backup failed to read the file list' },
  INVALID_FILELIST: { status: 69, message: 'invalid filelist specification' },
  NO_FILES_EXIST: {
    status: 71,
    message: 'none of the files in the file list exist',
    action: 'Check the paths in the backup selection; they must exist on the client.',
  },
  MEDIA_OPEN_ERROR: { status: 83, message: 'media open error' },
  MEDIA_WRITE_ERROR: { status: 84, message: 'media write error' },
  MEDIA_READ_ERROR: { status: 85, message: 'media read error' },
  MEDIA_POSITION_ERROR: { status: 86, message: 'media position error' },
  MEDIA_CLOSE_ERROR: { status: 87, message: 'media close error' },
  SHM_SETUP_FAILED: { status: 89, message: 'problems encountered during setup of shared memory' },
  NO_DATA_RECEIVED: { status: 90, message: 'media manager received no data for backup image' },
  NOT_TAR_FORMAT: { status: 92, message: 'media manager detected image that was not in tar format' },
  WRONG_TAPE: { status: 93, message: 'media manager found wrong tape in drive' },
  CANNOT_POSITION_TO_IMAGE: { status: 94, message: 'cannot position to correct image' },
  MEDIA_NOT_FOUND: {
    status: 95,
    message: 'requested media id was not found in NB media database and/or MM volume database',
    action: 'List the volumes with vmquery -a; run vmupdate to inventory the robot.',
  },
  NO_MEDIA_AVAILABLE: { status: 96, message: 'unable to allocate new media for backup, storage unit has none available' },
  NO_FILES_SPECIFIED: { status: 112, message: 'no files specified in the file list' },
  DISK_STU_FULL: {
    status: 129,
    message: 'Disk storage unit is full',
    action: 'Free space on the storage unit, expire images (bpexpdate), or back up to another storage unit.',
  },
  SYSTEM_ERROR: { status: 130, message: 'system error occurred' },
  CLIENT_NOT_VALIDATED: { status: 131, message: 'client is not validated to use the server' },
  INVALID_REQUEST: { status: 133, message: 'invalid request' },
  NOT_VALIDATED_FOR_OPERATION: { status: 135, message: 'client is not validated to perform the requested operation' },
  FILE_DOES_NOT_EXIST: { status: 142, message: 'file does not exist' },
  INVALID_USAGE: { status: 144, message: 'invalid command usage' },
  TERMINATED_BY_ADMIN: { status: 150, message: 'termination requested by administrator' },
  DISK_FULL: { status: 155, message: 'disk is full' },
  MEDIA_UNAVAILABLE: { status: 164, message: 'unable to mount media because it is in a DOWN drive, misplaced, or otherwise not available' },
  MEDIA_PROTECTED: {
    status: 168,
    message: 'cannot overwrite media, data on it is protected',
    action: 'Expire the images on the volume (bpexpdate) or label it with -o to overwrite them.',
  },
  NO_SUCH_POOL: {
    status: 167,
    message: 'cannot find requested volume pool in Media Manager volume database',
    action: 'List the pools with vmpool -list; add one with vmpool -add NAME.',
  },
  MEDIA_ID_TOO_LONG: { status: 171, message: 'media id must be 6 or less characters' },
  MEDIA_HEADER_UNREADABLE: { status: 172, message: 'cannot read media header, may not be NetBackup media or is corrupted' },
  BACKUP_HEADER_UNREADABLE: { status: 173, message: 'cannot read backup header, media may be corrupted' },
  IMPORT_FAILED: { status: 176, message: 'cannot perform specified media import operation' },
  NOT_ALL_RESTORED: { status: 175, message: 'not all requested files were restored' },
  TAR_DID_NOT_FIND_ALL: { status: 185, message: 'tar did not find all the files to be restored' },
  NO_IMAGES_MATCH: { status: 190, message: 'found no images or media matching the selection criteria' },
  NO_IMAGES_PROCESSED: { status: 191, message: 'no images were successfully processed' },
  MAX_JOBS_PER_CLIENT_ZERO: { status: 194, message: 'the maximum number of jobs per client is set to 0' },
  BACKUP_NOT_ATTEMPTED: { status: 195, message: 'client backup was not attempted' },
  WINDOW_CLOSED: { status: 196, message: 'client backup was not attempted because backup window closed' },
  NO_SUCH_SCHEDULE: { status: 197, message: 'the specified schedule does not exist in the specified policy' },
  NO_ACTIVE_POLICY_FOR_CLIENT: {
    status: 198,
    message: 'no active policies contain schedules of the requested type for this client',
  },
  NOT_ALLOWED_NOW: { status: 199, message: 'operation not allowed during this time period' },
  NO_BACKUPS_DUE: { status: 200, message: 'scheduler found no backups due to run' },
  NO_STORAGE_UNITS: { status: 213, message: 'no storage units available for use' },
  STU_UNAVAILABLE: { status: 219, message: 'the required storage unit is unavailable' },
  DATABASE_ERROR: { status: 220, message: 'database system error' },
  NO_ENTITY: { status: 227, message: 'no entity was found' },
  NO_SUCH_POLICY: {
    status: 230,
    message: 'the specified policy does not exist in the configuration database',
    action: 'List the policies with bppllist.',
  },
  CLIENT_NOT_IN_ACTIVE_POLICY: {
    status: 236,
    message: 'the specified client does not exist in an active policy within the configuration database',
  },
  CLIENT_NOT_IN_POLICY: { status: 239, message: 'the specified client does not exist in the specified policy' },
  NO_SCHEDULE_OF_TYPE: { status: 240, message: 'no schedules of the correct type exist in this policy' },
  POLICY_NOT_ACTIVE: { status: 247, message: 'the specified policy is not active' },
  STATUS_ON_STDERR: { status: 252, message: 'the error status has been written to stderr' },
  RESOURCE_REQUEST_FAILED: { status: 800, message: 'resource request failed' },
  JM_INTERNAL_ERROR: { status: 801, message: 'JM internal error' },
  RB_RETRY_LATER: { status: 900, message: 'retry nbrb request later' },
  NO_DRIVES: { status: 2001, message: 'No drives are available for this job' },
  STU_MAX_JOBS: { status: 2040, message: 'Maximum job count has been reached for the storage unit' },
  STU_DOWN: { status: 2041, message: 'Storage unit is down' },
} as const satisfies Record<string, StatusEntry>;

export type StatusCode = keyof typeof STATUS;

const byNumber = new Map<number, StatusEntry>(Object.values(STATUS).map((e) => [e.status, e]));

/** The entry for a status number, or undefined when openbp does not know it. */
export function statusEntry(status: number): StatusEntry | undefined {
  return byNumber.get(status);
}

/** The NetBackup message for a status number ("unknown status N" for numbers not in the table). */
export function statusMessage(status: number): string {
  return byNumber.get(status)?.message ?? `unknown status ${status}`;
}
