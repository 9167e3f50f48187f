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

function readOnce(fd: number, buf: Buffer): Promise<number> {
  return new Promise((resolve, reject) => fs.read(fd, buf, 0, buf.length, null, (err, n) => (err ? reject(err) : resolve(n))));
}

/** errno names of a splice that cannot work for this pair of descriptors (not a failure of the write itself). */
const CANNOT_SPLICE = new Set(['EINVAL', 'ENOSYS', 'EAGAIN', 'EBADF', 'ESPIPE', 'EOPNOTSUPP']);

/**
 * The descriptor's bytes as chunks. Each chunk stays valid until the chunk after the next one is requested
 * (two buffers alternate), which is what TarReader needs. A non-blocking descriptor (EAGAIN) falls back to a
 * stream reader, which waits for readiness instead of spinning (and reads ahead: no moveTo from then on).
 */
export class FdChunks implements AsyncIterable<Buffer>, MovableInput {
  private readonly isPipe: boolean;
  private direct = true;
  private spliceable = true;

  constructor(
    readonly fd: number,
    private readonly size = READ_SIZE,
  ) {
    let pipe = false;
    try {
      pipe = fs.fstatSync(fd).isFIFO();
    } catch {
      // the first read reports it
    }
    this.isPipe = pipe;
    if (pipe) widenPipe(fd);
  }

  get movable(): boolean {
    return this.isPipe && this.direct && this.spliceable;
  }

  async moveTo(outFd: number, n: number): Promise<number | null> {
    if (!this.movable) return null;
    try {
      return await sys().spliceToFile(this.fd, outFd, Math.min(n, MOVE_MAX));
    } catch (e) {
      if (!CANNOT_SPLICE.has((e as NodeJS.ErrnoException).code ?? '')) throw e;
      this.spliceable = false;
      return null;
    }
  }

  async *[Symbol.asyncIterator](): AsyncGenerator<Buffer> {
    const bufs = [Buffer.allocUnsafe(this.size), Buffer.allocUnsafe(this.size)];
    let which = 0;
    for (;;) {
      const buf = bufs[which]!;
      let n: number;
      try {
        n = await readOnce(this.fd, buf);
      } catch (e) {
        const code = (e as NodeJS.ErrnoException).code;
        if (code === 'EINTR') continue;
        if (code !== 'EAGAIN') throw e;
        this.direct = false;
        yield* fallback(this.fd);
        return;
      }
      if (n === 0) return;
      which ^= 1;
      yield buf.subarray(0, n);
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
