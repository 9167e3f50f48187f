// Reads a descriptor (stdin) in 1 MiB pieces into reused buffers: far fewer allocations than a stream's 64 KiB chunks.

import fs from 'node:fs';
import { Readable } from 'node:stream';

export const READ_SIZE = 1024 * 1024;

function readOnce(fd: number, buf: Buffer): Promise<number> {
  return new Promise((resolve, reject) => fs.read(fd, buf, 0, buf.length, null, (err, n) => (err ? reject(err) : resolve(n))));
}

/**
 * Yields the descriptor's bytes. Each chunk stays valid until the chunk after the next one is requested
 * (two buffers alternate), which is what TarReader needs. A non-blocking descriptor (EAGAIN) falls back to a
 * stream reader, which waits for readiness instead of spinning.
 */
export async function* fdChunks(fd: number, size = READ_SIZE): AsyncGenerator<Buffer> {
  const bufs = [Buffer.allocUnsafe(size), Buffer.allocUnsafe(size)];
  let which = 0;
  for (;;) {
    const buf = bufs[which]!;
    let n: number;
    try {
      n = await readOnce(fd, buf);
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      if (code === 'EINTR') continue;
      if (code !== 'EAGAIN') throw e;
      yield* fallback(fd);
      return;
    }
    if (n === 0) return;
    which ^= 1;
    yield buf.subarray(0, n);
  }
}

async function* fallback(fd: number): AsyncGenerator<Buffer> {
  const stream: Readable = fd === 0 ? process.stdin : fs.createReadStream('', { fd, autoClose: false });
  for await (const chunk of stream) yield chunk as Buffer;
}
