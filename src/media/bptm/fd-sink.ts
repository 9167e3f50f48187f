// The restore consumer on a descriptor (nbtar's pipe on stdout) as a ByteSink that a stop can interrupt.

import fs from 'node:fs';
import net from 'node:net';
import { OpenbpError } from '../../protocol/errors.js';
import type { ByteSink } from './ring-loops.js';
import type { Stop } from './stop.js';
import { widenPipe } from '../../ipc/data-pipe.js';
import { unwrittenAfter } from '../../storage/short-writes.js';

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
 * A blocking pipe (nbtar's stdin, bpbrm's verify pipe): runs are written on the thread pool while the loop checks
 * the next run's checksums (a lagging sink: see ByteSink.drain). One run is in flight at a time, so the order holds.
 */
class PipeSink implements ByteSink {
  private inFlight: Promise<void> | undefined;
  private error: OpenbpError | undefined;
  private readonly stopped: Promise<never>;
  /** True while a write reads from a ring slot: the mapping must stay until it returns. */
  busy = false;

  constructor(
    private readonly fd: number,
    stop: Stop,
  ) {
    this.stopped = new Promise<never>((_, reject) => stop.onStop((e) => reject(e)));
    this.stopped.catch(() => undefined);
  }

  async write(block: Buffer): Promise<void> {
    await this.writeRun([block]);
    await this.drain();
  }

  async writeRun(blocks: readonly Buffer[]): Promise<void> {
    await this.drain();
    const p = this.writeAll(blocks);
    p.catch(() => undefined);
    this.inFlight = p;
  }

  async drain(): Promise<void> {
    if (this.error) throw this.error;
    const p = this.inFlight;
    if (!p) return;
    // A stop does not wait for a write that its reader may never take.
    await Promise.race([p, this.stopped]);
    this.inFlight = undefined;
  }

  private async writeAll(blocks: readonly Buffer[]): Promise<void> {
    this.busy = true;
    try {
      let left: readonly Uint8Array[] = blocks;
      while (left.length > 0) {
        let n: number;
        try {
          n = await writev(this.fd, left);
        } catch (e) {
          if ((e as NodeJS.ErrnoException).code !== 'EAGAIN') throw e;
          await new Promise((r) => setTimeout(r, 1)); // someone made the pipe non-blocking: wait for room
          continue;
        }
        left = unwrittenAfter(left, n);
      }
    } catch (e) {
      this.error ??= sinkError(e);
      throw this.error;
    } finally {
      this.busy = false;
    }
  }
}

function writev(fd: number, blocks: readonly Uint8Array[]): Promise<number> {
  return new Promise((resolve, reject) => fs.writev(fd, blocks as Uint8Array[], (err, n) => (err ? reject(err) : resolve(n))));
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

/** A ByteSink writing to descriptor fd. */
export function openFdSink(fd: number, stop: Stop): ByteSink {
  let st: fs.Stats;
  try {
    st = fs.fstatSync(fd);
  } catch (e) {
    throw sinkError(e);
  }
  if (st.isFIFO()) {
    widenPipe(fd);
    return new PipeSink(fd, stop);
  }
  if (st.isSocket()) return new SocketSink(new net.Socket({ fd, readable: false, writable: true }), stop);
  return new FileSink(fd);
}
