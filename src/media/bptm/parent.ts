// The bptm parent: owns the storage unit and the buffer file, starts the child, reports on fd 3.
//
// Backup: child fills the ring from stdin; parent writes the slots to fragments.
// Restore: parent fills the ring from the fragments; child writes the slots to stdout.

import type { ChildProcess } from 'node:child_process';
import { OpenbpError, toOpenbpError } from '../../protocol/errors.js';
import type { BptmSpec } from '../../protocol/job-specs.js';
import type { BptmEvent } from '../../protocol/job-events.js';
import type { FragmentRecord } from '../../protocol/records.js';
import type { ImageReader, ImageWriter } from '../../storage/driver.js';
import { removeShmFile } from './shm-file.js';
import type { ShmRing } from './shm-ring.js';
import { MSG, type RingChannel } from './ring-channel.js';
import { consume, produce } from './ring-loops.js';
import { FragmentSink } from './fragment-sink.js';
import { driverForUnit, type TapeHooks } from './storage-for-unit.js';
import type { StorageDriver } from '../../storage/driver.js';
import { BlockWriter } from './block-writer.js';
import { blockFormFor, blockSourceFor } from './block-plan.js';
import { Stop } from './stop.js';
import { storesPlainBlocks } from './plain-blocks.js';
import type { StartedChild } from './child-start.js';


export interface ParentDeps {
  readonly spec: BptmSpec;
  /** This process's pid (names the buffer file). */
  readonly pid: number;
  /** Triggered by the command on SIGTERM/SIGINT/SIGHUP. */
  readonly stop: Stop;
  /** Writes one event on the event descriptor. */
  emit(event: BptmEvent): void;
  /**
   * The buffer file and the child of the pair (child-start.ts startChild): called first; the command
   * has usually started them already, before loading this module (startedNow).
   */
  startChild(): StartedChild;
  /** Progress events at most this often (ms); default 500. */
  readonly progressIntervalMs?: number;
  /** Tape units: how to ask the master for another volume, and the log. */
  readonly tape?: TapeHooks;
}

export interface BptmOutcome {
  readonly status: number;
  readonly bytes: number;
  readonly message?: string;
  /** Write: the fragments of the image (empty unless status 0). */
  readonly fragments: readonly FragmentRecord[];
}

const CHILD_GRACE_MS = 3000;

function throttle(intervalMs: number, fn: (bytes: number) => void): (bytes: number) => void {
  let last = Date.now();
  return (bytes) => {
    const now = Date.now();
    if (now - last < intervalMs) return;
    last = now;
    fn(bytes);
  };
}

/** Waits for the child to exit; SIGTERM after graceMs, SIGKILL a second later. */
async function reapChild(child: ChildProcess, exited: Promise<void>, graceMs: number): Promise<void> {
  const timeout = (ms: number) => new Promise<'timeout'>((r) => setTimeout(() => r('timeout'), ms).unref());
  if ((await Promise.race([exited, timeout(graceMs)])) !== 'timeout') return;
  child.kill('SIGTERM');
  if ((await Promise.race([exited, timeout(1000)])) !== 'timeout') return;
  child.kill('SIGKILL');
  await Promise.race([exited, timeout(1000)]);
}

export async function runBptmParent(deps: ParentDeps): Promise<BptmOutcome> {
  const { spec, stop } = deps;
  const emitSafe = (e: BptmEvent): void => {
    try {
      deps.emit(e);
    } catch {
      // the reader of our events went away; the job's outcome does not change
    }
  };
  const progress = throttle(deps.progressIntervalMs ?? 500, (bytes) => emitSafe({ kind: 'progress', bytes }));
  let bytes = 0;
  let writer: ImageWriter | undefined;
  let reader: ImageReader | undefined;
  let source: { read(buf: Buffer, off: number, len: number): Promise<number> } | undefined;
  let blocks: BlockWriter | undefined;
  let shmPath: string | undefined;
  let ring: ShmRing | undefined;
  let child: ChildProcess | undefined;
  let exited: Promise<void> = Promise.resolve();
  let chan: RingChannel | undefined;
  let driver: StorageDriver | undefined;
  try {
    const started = deps.startChild();
    ({ shmPath, ring, child, exited } = started);
    chan = started.channel;
    const channel = started.channel;
    driver = await driverForUnit(spec, deps.tape);
    if (spec.direction === 'write') {
      const form = blockFormFor(spec);
      writer = await driver.openImageWriter({
        backupid: spec.backupid,
        copy: spec.copy,
        blockSize: form.storedBlockSize,
        // Every block's checksum goes to the catalogue: a second hash of the whole fragment adds nothing.
        fragmentChecksum: false,
        // Plain blocks are the ring's page-aligned slots themselves: whole runs of them can go past the page cache.
        directIo: storesPlainBlocks(spec),
        expiration: spec.expiration,
        retentionLevel: spec.retentionLevel,
        ...(spec.image ? { image: spec.image } : {}),
      });
      const sink = new FragmentSink(writer, (fragment) =>
        emitSafe({ kind: 'fragment', fragment: form.keyTag ? { ...fragment, keyTag: form.keyTag } : fragment, blocks: blocks!.sectionFor(fragment).toString('base64') }),
      );
      blocks = new BlockWriter(sink, form.form, spec.backupid, spec.copy);
    } else {
      const opened = await blockSourceFor(spec, driver);
      reader = opened.reader;
      source = opened.source;
    }
    // No wait for READY: the ring can be filled (restore) while the child is still starting.

    if (spec.direction === 'write') {
      bytes = await consume(ring, channel, blocks!, stop, { onBytes: progress });
      channel.finished = true;
      await blocks!.end();
      if (bytes === 0) throw new OpenbpError('NO_DATA_RECEIVED', 'the data stream was empty');
      stop.check();
      await channel.sendFlushed(MSG.DONE, bytes);
    } else {
      bytes = await produce(ring, channel, source!, stop, { onBytes: progress });
      await channel.until(() => channel.doneBytes !== undefined);
      channel.finished = true;
    }
  } catch (e) {
    stop.trigger(toOpenbpError(e, spec.direction === 'write' ? 'MEDIA_WRITE_ERROR' : 'MEDIA_READ_ERROR'));
  } finally {
    const failure = stop.reason;
    if (failure) {
      await writer?.abort();
      // A child still starting has not touched the buffer or the stream: it need not hear why.
      if (child && chan && !chan.ready) child.kill('SIGKILL');
      else if (chan) await chan.sendFlushed(MSG.ERROR, failure.status);
    }
    await reader?.close();
    await driver?.close?.();
    if (child) await reapChild(child, exited, failure ? 1000 : CHILD_GRACE_MS);
    chan?.close();
    ring?.close();
    if (shmPath) removeShmFile(shmPath);
  }
  const failure = stop.reason;
  const status = failure?.status ?? 0;
  const end: BptmEvent = failure ? { kind: 'end', status, bytes, message: failure.message } : { kind: 'end', status, bytes };
  emitSafe(end);
  return { status, bytes, ...(failure ? { message: failure.message } : {}), fragments: failure ? [] : (writer?.fragments ?? []) };
}
