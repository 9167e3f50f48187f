// Reads a descriptor (stdin) in 1 MiB pieces into reused buffers: far fewer allocations than a stream's 64 KiB chunks.
// A pipe can also move its next bytes straight into a file (splice), for file bodies that need not pass through JS.

import fs from 'node:fs';
import { Readable } from 'node:stream';
import type { MovableInput } from './byte-source.js';
import { sys } from '../native/sys.js';
import { widenPipe } from '../ipc/data-pipe.js';

export const READ_SIZE = 1024 * 1024;
/** The most one moveTo hands the thread pool at once (a few tens of ms of work: progress and signals stay timely). */
const MOVE_MAX = 64 * 1024 * 1024;

/** A read into one of the buffers (slot): its bytes, or its error. */
interface ReadResult {
  slot: number;
  bytes: Buffer;
  err?: NodeJS.ErrnoException;
}

function readOnce(fd: number, buf: Buffer, slot: number): Promise<ReadResult> {
  return new Promise((resolve) =>
    fs.read(fd, buf, 0, buf.length, null, (err, n) => resolve(err ? { slot, bytes: buf.subarray(0, 0), err } : { slot, bytes: buf.subarray(0, n) })),
  );
}

/** errno names of a splice that cannot work for this pair of descriptors (not a failure of the write itself). */
const CANNOT_SPLICE = new Set(['EINVAL', 'ENOSYS', 'EAGAIN', 'EBADF', 'ESPIPE', 'EOPNOTSUPP']);

/**
 * The descriptor's bytes as chunks. Each chunk stays valid until the chunk after the next one is requested,
 * which is what TarReader needs. The next chunk is read on the thread pool while the caller works on this one
 * (read ahead: nbtar spent a fifth of a small-file restore idle, waiting for each read in turn); moveTo first
 * writes out what was read ahead, then splices. A non-blocking descriptor (EAGAIN) falls back to a stream
 * reader, which waits for readiness instead of spinning (no moveTo from then on).
 * A consumer that stops before the end (nbtar on a damaged stream) leaves one read under way: the process ends
 * once the writer sends more or closes (bptm does either; the read cannot be called off).
 */
export class FdChunks implements AsyncIterable<Buffer>, MovableInput {
  private readonly isPipe: boolean;
  private direct = true;
  private spliceable = true;
  private readonly bufs: Buffer[];
  /** The slots of the last two chunks handed out (still valid), newest first. */
  private lent: number[] = [];
  /** The read of the bytes after the last chunk handed out, when one is under way. */
  private ahead: Promise<ReadResult> | undefined;
  /** Bytes read ahead that a moveTo left (it took fewer): the next chunk. */
  private held: ReadResult | undefined;

  constructor(
    readonly fd: number,
    size = READ_SIZE,
  ) {
    let pipe = false;
    try {
      pipe = fs.fstatSync(fd).isFIFO();
    } catch {
      // the first read reports it
    }
    this.isPipe = pipe;
    if (pipe) widenPipe(fd);
    this.bufs = [Buffer.allocUnsafe(size), Buffer.allocUnsafe(size), Buffer.allocUnsafe(size)];
  }

  get movable(): boolean {
    return this.isPipe && this.direct && this.spliceable;
  }

  async moveTo(outFd: number, n: number): Promise<number | null> {
    if (!this.movable) return null;
    const early = await this.takeAhead();
    if (early !== undefined) return this.writeEarly(outFd, early, n);
    try {
      return await sys().spliceToFile(this.fd, outFd, Math.min(n, MOVE_MAX));
    } catch (e) {
      if (!CANNOT_SPLICE.has((e as NodeJS.ErrnoException).code ?? '')) throw e;
      this.spliceable = false;
      return null;
    }
  }

  /** Bytes already read ahead (waiting for the read under way); undefined when there are none or it failed. */
  private async takeAhead(): Promise<ReadResult | undefined> {
    if (this.held !== undefined || this.ahead === undefined) return this.held;
    const r = await this.ahead;
    this.ahead = undefined;
    if (r.err !== undefined) {
      this.ahead = Promise.resolve(r); // the iterator reports it (or falls back, on EAGAIN)
      return undefined;
    }
    this.held = r;
    return r;
  }

  /** moveTo for bytes read ahead: written to outFd here (a failure leaves them unread); the rest stays the next chunk. */
  private writeEarly(outFd: number, early: ReadResult, n: number): number {
    if (early.bytes.length === 0) return 0;
    const wrote = fs.writeSync(outFd, early.bytes, 0, Math.min(n, early.bytes.length));
    this.held = wrote < early.bytes.length ? { slot: early.slot, bytes: early.bytes.subarray(wrote) } : undefined;
    return wrote;
  }

  /** Reads the next bytes into a slot no chunk still valid is using. */
  private readAhead(): Promise<ReadResult> {
    const slot = [0, 1, 2].find((s) => !this.lent.includes(s))!;
    return readOnce(this.fd, this.bufs[slot]!, slot);
  }

  async *[Symbol.asyncIterator](): AsyncGenerator<Buffer> {
    for (;;) {
      const r = this.held ?? (await (this.ahead ?? this.readAhead()));
      this.held = undefined;
      this.ahead = undefined;
      if (r.err !== undefined) {
        if (r.err.code === 'EINTR') continue;
        if (r.err.code !== 'EAGAIN') throw r.err;
        this.direct = false;
        yield* fallback(this.fd);
        return;
      }
      if (r.bytes.length === 0) return;
      this.lent = [r.slot, ...this.lent.slice(0, 1)];
      this.ahead = this.readAhead();
      yield r.bytes;
    }
  }
}

/** The descriptor's bytes as chunks (see FdChunks). */
export function fdChunks(fd: number, size = READ_SIZE): FdChunks {
  return new FdChunks(fd, size);
}

async function* fallback(fd: number): AsyncGenerator<Buffer> {
  const stream: Readable = fd === 0 ? process.stdin : fs.createReadStream('', { fd, autoClose: false });
  for await (const chunk of stream) yield chunk as Buffer;
}
