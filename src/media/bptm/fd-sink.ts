// The restore consumer on a descriptor (nbtar's pipe on stdout) as a ByteSink that a stop can interrupt.

import fs from 'node:fs';
import net from 'node:net';
import { OpenbpError } from '../../protocol/errors.js';
import type { ByteSink, CheckedRun } from './ring-loops.js';
import type { SlotSum } from './ring-channel.js';
import { SUM_CODE, writeChecksum } from '../../formats/block-checksum.js';
import type { Stop } from './stop.js';
import { widenPipe } from '../../ipc/data-pipe.js';
import { sys } from '../../native/sys.js';

function sinkError(e: unknown): OpenbpError {
  return new OpenbpError('SOCKET_WRITE_FAILED', `writing the restore stream: ${(e as Error).message}`, { cause: e });
}

class SocketSink implements ByteSink {
  private error: OpenbpError | undefined;
  private pending: ((e?: OpenbpError) => void) | undefined;

  constructor(
    private readonly sock: net.Socket,
    stop: Stop,
  ) {
    sock.on('error', (e) => this.fail(sinkError(e)));
    sock.on('close', () => this.fail(new OpenbpError('SOCKET_WRITE_FAILED', 'the restore stream was closed by its reader')));
    stop.onStop((e) => {
      this.fail(e);
      sock.destroy();
    });
  }

  write(block: Buffer): Promise<void> {
    if (this.error) return Promise.reject(this.error);
    return new Promise<void>((resolve, reject) => {
      this.pending = (e) => (e ? reject(e) : resolve());
      this.sock.write(block, (e) => {
        const p = this.pending;
        this.pending = undefined;
        if (e) this.error ??= sinkError(e);
        p?.(e ? this.error : undefined);
      });
    });
  }

  private fail(e: OpenbpError): void {
    this.error ??= e;
    const p = this.pending;
    this.pending = undefined;
    p?.(this.error);
  }
}

/**
 * A pipe sink that vmsplices each block: the pipe refers to the slot's pages instead of a copy of its bytes (one
 * copy of the whole restore less, and the pipe's lock is held for page references only, not for a copy). A block
 * stays held (its slot unchanged) until the reader has taken all its bytes: the pipe then holds only bytes spliced
 * after it (pipeUnread). Its reader must copy the bytes out (read, or splice into a file, as nbtar and ssh do): a
 * reader that splices them on into a socket would keep the pages past that point.
 */
class VmspliceSink implements ByteSink {
  /** Bytes spliced so far. */
  private spliced = 0;
  /** Where each held block ends in the spliced bytes, oldest first. */
  private ends: number[] = [];
  private error: OpenbpError | undefined;
  private pending: ((e: OpenbpError) => void) | undefined;
  /** A vmsplice on the thread pool, which may outlive a stop (it waits on the reader). */
  busy = false;

  constructor(
    private readonly fd: number,
    stop: Stop,
  ) {
    stop.onStop((e) => {
      this.error ??= e;
      const p = this.pending;
      this.pending = undefined;
      p?.(e);
    });
  }

  /** The addon's promise, or the stop's failure first (a pool call may wait on a reader that stopped reading). */
  private guarded<T>(work: () => Promise<T>): Promise<T> {
    if (this.error) return Promise.reject(this.error);
    return new Promise<T>((resolve, reject) => {
      this.pending = reject;
      work().then(
        (v) => {
          this.pending = undefined;
          if (this.error) reject(this.error);
          else resolve(v);
        },
        (e: unknown) => {
          this.pending = undefined;
          this.error ??= sinkError(e);
          reject(this.error);
        },
      );
    });
  }

  async write(block: Buffer): Promise<void> {
    const unread = await this.guarded(() => {
      this.busy = true;
      return sys()
        .vmspliceToPipe(this.fd, block)
        .finally(() => (this.busy = false));
    });
    this.spliced += block.length;
    this.ends.push(this.spliced);
    this.taken(unread);
  }

  async writeChecked(run: Buffer, blockSize: number, sums: readonly (SlotSum | undefined)[]): Promise<CheckedRun> {
    const checks = Buffer.alloc(9 * sums.length);
    sums.forEach((s, i) => {
      if (s === undefined) return;
      checks[9 * i] = SUM_CODE[s.sum];
      writeChecksum(checks, 9 * i + 1, s.checksum);
    });
    const done = await this.guarded(() => {
      this.busy = true;
      return sys()
        .checkedVmsplice(this.fd, run, blockSize, checks)
        .finally(() => (this.busy = false));
    });
    for (let at = 0; at < done.spliced; at += blockSize) this.ends.push(this.spliced + Math.min(done.spliced, at + blockSize));
    this.spliced += done.spliced;
    this.taken(done.unread);
    return done.bad < 0 ? { bytes: done.spliced } : { bytes: done.spliced, bad: { index: done.bad, actual: done.actual! } };
  }

  held(): number {
    return this.ends.length;
  }

  async letGo(): Promise<void> {
    if (this.ends.length === 0) return;
    const unread = await this.guarded(() => sys().pipeUnreadAtMost(this.fd, this.spliced - this.ends[0]!));
    if (unread < 0) this.ends = []; // no reader: nothing will read the pages any more (the next write fails, EPIPE)
    else this.taken(unread);
  }

  /** The pipe holds `unread` bytes: every block that ends before them has been read. */
  private taken(unread: number): void {
    const read = this.spliced - unread;
    let n = 0;
    while (n < this.ends.length && this.ends[n]! <= read) n++;
    if (n > 0) this.ends.splice(0, n);
  }
}

class FileSink implements ByteSink {
  constructor(private readonly fd: number) {}

  async write(block: Buffer): Promise<void> {
    try {
      for (let off = 0; off < block.length; ) off += fs.writeSync(this.fd, block, off, block.length - off);
    } catch (e) {
      throw sinkError(e);
    }
  }
}

/** Slots from this size up go into a pipe by vmsplice (smaller ones cost less copied than held). */
const VMSPLICE_MIN_SLOT = 64 * 1024;

/** Whether blocks of slotSize go into pipe fd by vmsplice: large enough, and the pipe answers FIONREAD. */
function vmspliced(fd: number, slotSize: number): boolean {
  if (slotSize < VMSPLICE_MIN_SLOT || process.env.OPENBP_NO_VMSPLICE) return false;
  try {
    sys().pipeUnread(fd);
    return true;
  } catch {
    return false;
  }
}

/** A ByteSink writing to descriptor fd (blocks of at most slotSize bytes, ring slots). */
export function openFdSink(fd: number, stop: Stop, slotSize: number): ByteSink {
  let st: fs.Stats;
  try {
    st = fs.fstatSync(fd);
  } catch (e) {
    throw sinkError(e);
  }
  if (st.isFIFO()) widenPipe(fd);
  // A pipe sink writing runs on the thread pool (checking the next run meanwhile) was tried and taken back: in two
  // of five full CI runs a stopped restore child then ended without its ERROR reaching the parent (85 instead of
  // the child's status). Likely cause, found later: the child exited right after its ERROR, the parent's next write
  // on the control pipe failed with EPIPE and Node dropped what the parent had not read; the child now waits for
  // the parent's answer (RingChannel.peerStopped) before it exits.
  if (st.isFIFO() && vmspliced(fd, slotSize)) return new VmspliceSink(fd, stop);
  if (st.isFIFO() || st.isSocket()) return new SocketSink(new net.Socket({ fd, readable: false, writable: true }), stop);
  return new FileSink(fd);
}
