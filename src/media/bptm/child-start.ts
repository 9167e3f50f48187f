// The first step of the bptm parent: the buffer file and the child of the pair, started before anything else.
//
// The child's Node start-up is the longest step of a small job: it is started before the parent loads
// its storage code and opens the storage unit, so that both overlap.

import type { ChildProcess, StdioOptions } from 'node:child_process';
import type { Duplex } from 'node:stream';
import { OpenbpError } from '../../protocol/errors.js';
import type { BptmSpec } from '../../protocol/job-specs.js';
import { FRAME_HEADER_BYTES } from '../../formats/block-frame-size.js';
import { createShmFile, DEFAULT_SHM_DIR, removeShmFile } from './shm-file.js';
import { ShmRing } from './shm-ring.js';
import { RingChannel } from './ring-channel.js';
import { peerLost } from './exit-status.js';
import type { Stop } from './stop.js';

/** Starts the child of the pair with these descriptors (3 is the control pipe). */
export type SpawnChild = (shmPath: string, stdio: StdioOptions) => ChildProcess;

export interface StartedChild {
  readonly shmPath: string;
  readonly ring: ShmRing;
  readonly child: ChildProcess;
  /** Resolves when the child has exited (or could not be started). */
  readonly exited: Promise<void>;
  readonly channel: RingChannel;
}

/** Throws 20 unless the ring geometry is usable. */
export function checkGeometry(spec: BptmSpec): void {
  const { numberOfBuffers: n, bufferSize: size } = spec;
  if (!Number.isInteger(n) || n < 1 || n > 4096) throw new OpenbpError('INVALID_PARAMETER', `numberOfBuffers ${n} is out of range (1-4096)`);
  // Framed images (compressed or encrypted) are read with slots of their stored block size, a frame header more.
  if (!Number.isInteger(size) || size < 1024 || size > 64 * 1024 * 1024 + FRAME_HEADER_BYTES) {
    throw new OpenbpError('INVALID_PARAMETER', `bufferSize ${size} is out of range (1 KiB - 64 MiB)`);
  }
}

function waitExit(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    child.once('exit', () => resolve());
    child.once('error', () => resolve());
  });
}

/** Checks the geometry, creates the buffer file (pid names it) and starts the child; 20 or 89 when it cannot. */
export function startChild(spec: BptmSpec, pid: number, stop: Stop, spawnChild: SpawnChild): StartedChild {
  checkGeometry(spec);
  const shm = createShmFile(spec.shmDir ?? DEFAULT_SHM_DIR, spec.jobid, pid, spec.numberOfBuffers * spec.bufferSize);
  const ring = new ShmRing(shm.fd, spec.numberOfBuffers, spec.bufferSize);
  const stdio: StdioOptions = spec.direction === 'write' ? [0, 'ignore', 2, 'pipe'] : ['ignore', 1, 2, 'pipe'];
  let child: ChildProcess;
  try {
    child = spawnChild(shm.path, stdio);
  } catch (e) {
    ring.close();
    removeShmFile(shm.path);
    throw new OpenbpError('SHM_SETUP_FAILED', `cannot start the bptm child: ${(e as Error).message}`, { cause: e });
  }
  const exited = waitExit(child);
  child.once('error', (e) => stop.trigger(new OpenbpError('SHM_SETUP_FAILED', `cannot start the bptm child: ${e.message}`, { cause: e })));
  const channel: RingChannel = new RingChannel(
    child.stdio[3] as Duplex,
    stop,
    (): OpenbpError => (channel.ready ? peerLost(spec.direction, 'child') : new OpenbpError('SHM_SETUP_FAILED', 'the bptm child ended before it opened the buffer file')),
    spec.bufferSize,
  );
  return { shmPath: shm.path, ring, child, exited, channel };
}

/** Calls start once, now, and hands its result (or throws its failure) to every later call. */
export function startedNow(start: () => StartedChild): () => StartedChild {
  let result: { ok: StartedChild } | { err: unknown };
  try {
    result = { ok: start() };
  } catch (e) {
    result = { err: e };
  }
  return () => {
    if ('err' in result) throw result.err;
    return result.ok;
  };
}
