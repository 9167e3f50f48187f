// The bptm child: moves the data stream between a pipe and the ring (stdin -> ring on backup, ring -> stdout on restore).

import net from 'node:net';
import { toOpenbpError } from '../../protocol/errors.js';
import type { BptmSpec } from '../../protocol/job-specs.js';
import { openShmFile, removeShmFile } from './shm-file.js';
import { ShmRing } from './shm-ring.js';
import { MSG, RingChannel } from './ring-channel.js';
import { consume, produce, type ByteSink, type ByteSource } from './ring-loops.js';
import { openFdSource } from './fd-source.js';
import { openFdSink } from './fd-sink.js';
import { peerLost } from './exit-status.js';
import type { Stop } from './stop.js';

/** How long a failed child waits for the parent to have heard its ERROR (the parent answers with its own at once). */
const PEER_STOP_WAIT_MS = 2000;

export interface ChildDeps {
  readonly spec: BptmSpec;
  readonly shmPath: string;
  readonly stop: Stop;
  /** The control pipe to the parent (3), the data stream in (0) and out (1). */
  readonly controlFd?: number;
  readonly inFd?: number;
  readonly outFd?: number;
}

export interface ChildOutcome {
  readonly status: number;
  readonly bytes: number;
  readonly message?: string;
}

/**
 * Runs the child side. Whatever happens, the buffer file is removed before this returns (the parent
 * removes it too; whichever survives does it). The caller must end the process afterwards: a pipe
 * reader may still be registered.
 */
export async function runBptmChild(deps: ChildDeps): Promise<ChildOutcome> {
  const { spec, stop } = deps;
  let ring: ShmRing | undefined;
  let chan: RingChannel | undefined;
  let bytes = 0;
  let source: ByteSource | undefined;
  let sink: ByteSink | undefined;
  try {
    const sock = new net.Socket({ fd: deps.controlFd ?? 3, readable: true, writable: true, allowHalfOpen: true });
    const channel = new RingChannel(sock, stop, () => peerLost(spec.direction, 'parent'), spec.bufferSize);
    chan = channel;
    ring = new ShmRing(openShmFile(deps.shmPath, spec.numberOfBuffers * spec.bufferSize), spec.numberOfBuffers, spec.bufferSize);
    channel.send(MSG.READY, 0);
    if (spec.direction === 'write') {
      source = openFdSource(deps.inFd ?? 0, Math.max(2 * spec.bufferSize, 1024 * 1024), stop);
      // The parent checksums the blocks, beside its O_DIRECT write of the run before: on two cores that balances
      // the pair better than hashing here next to the pipe reads (1.0 + 0.45 CPU s/GiB rather than 0.45 + 1.2).
      bytes = await produce(ring, channel, source, stop);
      await channel.until(() => channel.doneBytes !== undefined);
      channel.finished = true;
    } else {
      sink = openFdSink(deps.outFd ?? 1, stop, spec.bufferSize);
      // The parent leaves the checksum of plain whole blocks to us (SUM): checked here, before they go out.
      bytes = await consume(ring, channel, sink, stop, { verify: true });
      channel.finished = true;
      await channel.sendFlushed(MSG.DONE, bytes);
    }
  } catch (e) {
    stop.trigger(toOpenbpError(e, spec.direction === 'write' ? 'MEDIA_WRITE_ERROR' : 'MEDIA_READ_ERROR'));
  }
  try {
    // Also a failure the stop saw without an exception here (the restore's reader went away between two
    // writes): the parent must hear the status, not just see this process go (it would say 85).
    if (stop.reason && chan) {
      await chan.sendFlushed(MSG.ERROR, stop.reason.status);
      await chan.peerStopped(PEER_STOP_WAIT_MS);
    }
  } finally {
    // A pipe read still in flight writes into its slot when it returns, a vmsplice still in flight reads its slot:
    // leave the mapping to the process exit.
    if (!source?.busy && !sink?.busy) ring?.close();
    removeShmFile(deps.shmPath);
    chan?.close();
  }
  const failure = stop.reason;
  return failure ? { status: failure.status, bytes, message: failure.message } : { status: 0, bytes };
}
