// bptm's exit statuses (NetBackup numbers) and how a status number travels between the two processes.
//
//   0   the image was written (every fragment durable) or the range was read and delivered
//   24  read: the restore consumer on stdout went away (EPIPE or another write error)
//   50  write: reading the data stream on stdin failed (ECONNRESET, EIO...)
//   83  the storage unit or a fragment file cannot be opened (missing fragment on read)
//   84  write: media write error, or the child of the pair died before the stream was complete
//   85  read: media read error (I/O error, fragment short, checksum mismatch, gap in the fragments),
//       or the child died before delivering the whole range
//   89  the shared-memory buffer file could not be created, sized or opened, or the child did not start
//   90  write: the stream was empty (0 bytes); nothing is left on the unit
//   129 write: the disk storage unit is full (ENOSPC / EDQUOT); nothing of the image is left
//   150 SIGTERM, SIGINT or SIGHUP (the job was cancelled); on write nothing of the image is left
//   20  the spec or the options are invalid
// On write, any status but 0 means every fragment the image announced has been removed again.

import { OpenbpError } from '../../protocol/errors.js';
import { STATUS, type StatusCode } from '../../protocol/status.js';

/** The status code name for a NetBackup status number (SYSTEM_ERROR when unknown). */
export function codeForStatus(status: number): StatusCode {
  for (const [code, entry] of Object.entries(STATUS)) if (entry.status === status) return code as StatusCode;
  return 'SYSTEM_ERROR';
}

/** What a process reports when the other process of the pair disappears before the job is complete. */
export function peerLost(direction: 'write' | 'read', who: 'parent' | 'child'): OpenbpError {
  const code: StatusCode = direction === 'write' ? 'MEDIA_WRITE_ERROR' : 'MEDIA_READ_ERROR';
  return new OpenbpError(code, `the bptm ${who} process ended before the ${direction === 'write' ? 'image was complete' : 'restore data was delivered'}`);
}

/** A failure reported by the other process of the pair over the control pipe. */
export function peerFailed(status: number): OpenbpError {
  return new OpenbpError(codeForStatus(status), `the other bptm process failed with status ${status}`);
}
