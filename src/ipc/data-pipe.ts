// A pipe(2) for the data stream between two spawned processes, with a large capacity: fewer, bigger reads and writes.

import fs from 'node:fs';
import { sys } from '../native/sys.js';

/** The capacity asked for (the Linux default pipe-max-size; 64 KiB pipes cost a system call per 64 KiB). */
export const DATA_PIPE_BYTES = 1024 * 1024;

export interface DataPipe {
  /** The read end, for the consumer's stdin. */
  readonly read: number;
  /** The write end, for the producer's stdout. */
  readonly write: number;
  /** Closes this process's copies of both ends (after both processes were spawned with them). Idempotent. */
  close(): void;
}

/**
 * Raises a pipe's capacity to `bytes` where the kernel allows it (pipe-max-size); returns the capacity it has.
 * Never throws: a descriptor that is no pipe, or a limit, leaves the pipe as it was.
 */
export function widenPipe(fd: number, bytes: number = DATA_PIPE_BYTES): number {
  try {
    return sys().setPipeSize(fd, bytes);
  } catch {
    try {
      return sys().pipeSize(fd);
    } catch {
      return 0;
    }
  }
}

/** A blocking pipe (both ends close-on-exec until a spawn passes them on) of DATA_PIPE_BYTES where allowed. */
export function openDataPipe(bytes: number = DATA_PIPE_BYTES): DataPipe {
  const [read, write] = sys().pipe();
  widenPipe(write, bytes);
  let open = true;
  return {
    read,
    write,
    close() {
      if (!open) return;
      open = false;
      fs.closeSync(read);
      fs.closeSync(write);
    },
  };
}
