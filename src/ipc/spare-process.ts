// A spare process: an openbp binary started ahead of need, its code loaded, that waits to be handed the arguments
// and standard descriptors of the run it becomes. bpbrm and a job's bptm and bpbkar start on every job's path, and
// Node's start and the bundle's load are ~50 ms of CPU each; a spare has done them before the job came.
//
// A spare is `<binary> --spare FD`: FD is one end of a SOCK_SEQPACKET pair whose other end the spawner keeps. The
// spawner sends one message (SpareInvocation, with copies of the descriptors for 0-2 by SCM_RIGHTS) and closes its
// end; a spare whose spawner closes its end without a message (it ended, or dropped its spares) just exits.

import fs from 'node:fs';
import { sys } from '../native/sys.js';
import { OpenbpError } from '../protocol/errors.js';

/** argv[0] of a spare; argv[1] is its control descriptor, the rest its role (for its preparation). */
export const SPARE_FLAG = '--spare';

/** The one message a spare gets: the run's arguments, and the standard descriptors the passed ones become, in order. */
export interface SpareInvocation {
  readonly args: string[];
  readonly targets: number[];
}

const MAX_INVOCATION_BYTES = 64 * 1024;

export function encodeInvocation(inv: SpareInvocation): Buffer {
  const bytes = Buffer.from(JSON.stringify(inv));
  if (bytes.length > MAX_INVOCATION_BYTES) throw new RangeError(`a spare's arguments take ${bytes.length} bytes (at most ${MAX_INVOCATION_BYTES})`);
  return bytes;
}

function decodeInvocation(bytes: Buffer, fds: number): SpareInvocation {
  const v = JSON.parse(bytes.toString('utf8')) as Partial<SpareInvocation>;
  const ok =
    Array.isArray(v.args) && v.args.every((a) => typeof a === 'string') &&
    Array.isArray(v.targets) && v.targets.length === fds && v.targets.every((t) => t === 0 || t === 1 || t === 2);
  if (!ok) throw new OpenbpError('INVALID_PARAMETER', 'a spare was handed a malformed invocation');
  return v as SpareInvocation;
}

/** The control descriptor of a spare's argv (`--spare FD`), else undefined (a normal run). */
export function spareControl(argv: readonly string[]): number | undefined {
  if (argv[0] !== SPARE_FLAG) return undefined;
  const fd = Number(argv[1]);
  if (!Number.isInteger(fd) || fd < 3) throw new OpenbpError('INVALID_PARAMETER', `${SPARE_FLAG} is for openbp's own use: it needs the control descriptor (3 or more)`);
  try {
    // Not passed on: the children this spare starts must not hold it (its end is how the spawner is known gone).
    sys().setCloseOnExec(fd);
  } catch (e) {
    throw new OpenbpError('INVALID_PARAMETER', `${SPARE_FLAG} ${fd}: ${(e as Error).message}`);
  }
  return fd;
}

/**
 * Waits for the invocation (blocking: a spare has nothing else to do); installs its descriptors as 0-2 and returns
 * its arguments. Undefined when the spawner closed its end instead: the spare is not needed.
 */
export function awaitInvocation(ctl: number): string[] | undefined {
  let msg: { bytes: Buffer; fds: number[] } | null;
  try {
    msg = sys().recvFds(ctl, MAX_INVOCATION_BYTES);
  } catch (e) {
    throw new OpenbpError('INVALID_PARAMETER', `${SPARE_FLAG} ${ctl}: ${(e as Error).message}`);
  } finally {
    fs.closeSync(ctl);
  }
  if (msg === null) return undefined;
  let inv: SpareInvocation;
  try {
    inv = decodeInvocation(msg.bytes, msg.fds.length);
  } catch (e) {
    for (const fd of msg.fds) fs.closeSync(fd);
    throw e;
  }
  inv.targets.forEach((target, i) => sys().adoptFd(msg.fds[i]!, target));
  return inv.args;
}
