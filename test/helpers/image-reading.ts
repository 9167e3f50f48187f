// Reading an image back through any storage driver's ImageReader, and the status a storage call ends with.

import type { ImageReader } from '../../src/storage/driver.js';
import { OpenbpError } from '../../src/protocol/errors.js';

/** Everything the reader yields, read in `chunk`-byte calls (tests pass sizes that are not block multiples); closes it. */
export async function drainImage(r: ImageReader, chunk: number): Promise<Buffer> {
  const parts: Buffer[] = [];
  const buf = Buffer.alloc(chunk);
  for (;;) {
    const n = await r.read(buf, 0, buf.length);
    if (n === 0) break;
    parts.push(Buffer.from(buf.subarray(0, n)));
  }
  await r.close();
  return Buffer.concat(parts);
}

/** 0 when the promise resolves, the NetBackup status when it rejects with an OpenbpError. */
export async function settledStatus(p: Promise<unknown>): Promise<number> {
  try {
    await p;
    return 0;
  } catch (e) {
    if (e instanceof OpenbpError) return e.status;
    throw e;
  }
}
