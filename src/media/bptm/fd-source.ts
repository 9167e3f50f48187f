// The data stream on a descriptor (bpbkar's pipe on stdin) as a ByteSource that a stop can interrupt.
//
// A blocking pipe is read with read(2) on the thread pool straight into the caller's buffer (the ring
// slot: no copy in between), as many reads as fill it in one pool job; a stop does not wait for a read in
// flight (it rejects at once and the process exits; `busy` tells the owner not to unmap the slot
// under it). Sockets and non-blocking pipes are read through libuv; regular files and devices with
// plain read(2).

import fs from 'node:fs';
import net from 'node:net';
import { OpenbpError } from '../../protocol/errors.js';
import type { ByteSource } from './ring-loops.js';
import type { Stop } from './stop.js';
import { widenPipe } from '../../ipc/data-pipe.js';
import { sys } from '../../native/sys.js';

function streamError(e: unknown): OpenbpError {
  return new OpenbpError('CLIENT_ABORTED', `reading the data stream: ${(e as Error).message}`, { cause: e });
}

class SocketSource implements ByteSource {
  private readonly chunks: Buffer[] = [];
  private head = 0;
  private queued = 0;
  private ended = false;
  private error: OpenbpError | undefined;
  private waiter: (() => void) | undefined;
  private paused = false;

  constructor(
    private readonly sock: net.Socket,
    private readonly highWater: number,
    stop: Stop,
  ) {
    sock.on('data', (chunk: Buffer) => {
      this.chunks.push(chunk);
      this.queued += chunk.length;
      if (this.queued >= this.highWater && !this.paused) {
        this.paused = true;
        sock.pause();
      }
      this.wake();
    });
    sock.on('end', () => {
      this.ended = true;
      this.wake();
    });
    sock.on('error', (e) => {
      this.error = streamError(e);
      this.wake();
    });
    stop.onStop((e) => {
      this.error ??= e;
      sock.destroy();
      this.wake();
    });
  }

  async read(buf: Buffer, offset: number, length: number): Promise<number> {
    while (this.chunks.length === 0) {
      if (this.error) throw this.error;
      if (this.ended) return 0;
      await new Promise<void>((resolve) => (this.waiter = resolve));
    }
    if (this.error) throw this.error;
    let n = 0;
    while (n < length && this.chunks.length > 0) {
      const c = this.chunks[0]!;
      const take = Math.min(length - n, c.length - this.head);
      c.copy(buf, offset + n, this.head, this.head + take);
      n += take;
      this.head += take;
      if (this.head === c.length) {
        this.chunks.shift();
        this.head = 0;
      }
    }
    this.queued -= n;
    if (this.paused && this.queued < this.highWater / 2) {
      this.paused = false;
      this.sock.resume();
    }
    return n;
  }

  private wake(): void {
    const w = this.waiter;
    this.waiter = undefined;
    w?.();
  }
}

class PipeSource implements ByteSource {
  private inFlight = false;
  private error: OpenbpError | undefined;
  private pending: ((e: OpenbpError) => void) | undefined;
  private socket: SocketSource | undefined;

  constructor(
    private readonly fd: number,
    private readonly highWater: number,
    private readonly stop: Stop,
  ) {
    stop.onStop((e) => {
      this.error ??= e;
      const p = this.pending;
      this.pending = undefined;
      p?.(this.error);
    });
  }

  /** A read(2) into a caller's buffer has not returned yet. */
  get busy(): boolean {
    return this.inFlight;
  }

  read(buf: Buffer, offset: number, length: number): Promise<number> {
    if (this.socket) return this.socket.read(buf, offset, length);
    if (this.error) return Promise.reject(this.error);
    return new Promise<number>((resolve, reject) => {
      this.pending = reject;
      this.inFlight = true;
      const settle = (err: Error | null, n: number) => {
        this.inFlight = false;
        if (this.pending !== reject) return; // stopped meanwhile: already rejected
        this.pending = undefined;
        if (!err) return resolve(n);
        // readFull retries EINTR itself.
        if ((err as NodeJS.ErrnoException).code === 'EAGAIN') {
          // Non-blocking after all: wait for data through libuv instead of spinning.
          this.socket = new SocketSource(new net.Socket({ fd: this.fd, readable: true, writable: false, allowHalfOpen: true }), this.highWater, this.stop);
          return resolve(this.socket.read(buf, offset, length));
        }
        reject(streamError(err));
      };
      // Until the buffer is full: a pipe gives what it holds (28 KiB a read on average while bpbkar wrote small
      // files), and each read done from JS was a pool round trip and a wakeup of the loop.
      sys().readFull(this.fd, buf.subarray(offset, offset + length)).then((n) => settle(null, n), (e: Error) => settle(e, 0));
    });
  }
}

class FileSource implements ByteSource {
  constructor(private readonly fd: number) {}

  async read(buf: Buffer, offset: number, length: number): Promise<number> {
    try {
      return fs.readSync(this.fd, buf, offset, length, null);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'EAGAIN') {
        await new Promise((r) => setTimeout(r, 1));
        return this.read(buf, offset, length);
      }
      throw streamError(e);
    }
  }
}

/** A ByteSource reading descriptor fd; `highWater` bytes may wait in memory before reading pauses. */
export function openFdSource(fd: number, highWater: number, stop: Stop): ByteSource {
  let st: fs.Stats;
  try {
    st = fs.fstatSync(fd);
  } catch (e) {
    throw streamError(e);
  }
  if (st.isFIFO()) {
    widenPipe(fd);
    return new PipeSource(fd, highWater, stop);
  }
  if (st.isSocket()) {
    const sock = new net.Socket({ fd, readable: true, writable: false, allowHalfOpen: true });
    return new SocketSource(sock, highWater, stop);
  }
  return new FileSource(fd);
}
