// Verify: walks an image's tar stream and matches its entries with the catalogue's .f records, in stream order.

import { TarReader, isUnsupported } from '../../archive/tar-reader.js';
import { resolveStreamPath } from '../../archive/path-safety.js';
import type { FileRecord } from '../../protocol/records.js';

export interface StreamCheck {
  /** 0 when the stream parsed and matched the catalogue; 92 when it is not tar or does not match. */
  status: number;
  /** Entries read from the stream. */
  entries: number;
  /** Catalogue records with their data in the image. */
  expected: number;
  bytes: number;
  message?: string;
}

/**
 * Reads `stream` to its end (even after a problem, so the producer is never cut off) and compares each
 * entry's header offset and path with the next in-image record from `records` (the .f file, in order).
 */
export async function checkImageStream(stream: AsyncIterable<Buffer>, records: AsyncIterable<FileRecord>, onProgress?: (bytes: number, entries: number) => void): Promise<StreamCheck> {
  const inImage = records[Symbol.asyncIterator]();
  let expected = 0;
  const nextExpected = async (): Promise<FileRecord | undefined> => {
    for (;;) {
      const r = await inImage.next();
      if (r.done) return undefined;
      if (r.value.inImage === 0) continue;
      expected++;
      return r.value;
    }
  };
  const source = stream[Symbol.asyncIterator]();
  let consumed = false;
  let bytes = 0;
  const counted: AsyncIterable<Buffer> = {
    [Symbol.asyncIterator]: () => ({
      next: async () => {
        const r = await source.next();
        if (r.done) consumed = true;
        else bytes += r.value.length;
        return r;
      },
    }),
  };
  const reader = new TarReader(counted);
  let entries = 0;
  let problem: string | undefined;
  try {
    for (;;) {
      const got = await reader.next();
      if (got === null) break;
      entries++;
      const path = isUnsupported(got) ? got.path : got.entry.path;
      const want = await nextExpected();
      const resolved = resolveStreamPath(path);
      const abs = resolved.ok ? resolved.abs : path;
      if (!want) {
        problem = `entry ${entries} '${abs}' at offset ${got.offset} is not in the catalogue`;
        break;
      }
      if (want.offset !== got.offset || want.path !== abs) {
        problem = `entry ${entries} '${abs}' at offset ${got.offset} does not match the catalogue's '${want.path}' at offset ${want.offset}`;
        break;
      }
      if (onProgress && entries % 100 === 0) onProgress(reader.offset, entries);
      await reader.skipBody();
    }
    if (!problem) {
      const extra = await nextExpected();
      if (extra) problem = `the catalogue lists '${extra.path}' at offset ${extra.offset}, the stream ends before it`;
    }
    if (!problem) await reader.drain();
  } catch (e) {
    problem = `the image is not a valid tar stream after entry ${entries}: ${(e as Error).message}`;
  }
  if (!consumed) {
    // Keep reading so that the producer (bptm) reaches the end of every fragment and checks its checksum.
    for (;;) {
      const r = await source.next();
      if (r.done) break;
      bytes += r.value.length;
    }
  }
  // Count the records left so `expected` is the catalogue's in-image total.
  if (problem) while (await nextExpected());
  return { status: problem ? 92 : 0, entries, expected, bytes, ...(problem ? { message: problem } : {}) };
}
