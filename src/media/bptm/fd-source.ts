// The data stream on a descriptor (bpbkar's pipe on stdin) as a ByteSource that a stop can interrupt.
//
// Pipes and sockets are read through libuv (never a blocked thread-pool read, so the process can
// exit the moment its partner dies); regular files and devices with plain read(2).

import fs from 'node:fs';
import net from 'node:net';
import { OpenbpError } from '../../protocol/errors.js';
import type { ByteSource } from './ring-loops.js';
import type { Stop } from './stop.js';

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
  if (st.isFIFO() || st.isSocket()) {
    const sock = new net.Socket({ fd, readable: true, writable: false, allowHalfOpen: true });
    return new SocketSource(sock, highWater, stop);
  }
  return new FileSource(fd);
}
