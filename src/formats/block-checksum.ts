// The catalogue's checksum of a stored block (see block-frame.ts): its own module so that the bptm child loads only node:crypto.

import crypto from 'node:crypto';
import { sys } from '../native/sys.js';

/** The catalogue's checksum of a stored block: the first 8 bytes of its sha256, hex. */
export function blockChecksum(stored: Uint8Array): string {
  return crypto.createHash('sha256').update(stored).digest().toString('hex', 0, 8);
}

let pooled = true;

/**
 * blockChecksum on the libuv thread pool (the addon hashes the bytes where they lie): several blocks hash at once,
 * beside the caller's other work. The bytes must not change until it resolves. Falls back to blockChecksum.
 */
export async function blockChecksumPooled(stored: Uint8Array): Promise<string> {
  if (pooled) {
    try {
      return await sys().sha256Prefix(stored);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'ENOSYS') throw e;
      pooled = false;
    }
  }
  return blockChecksum(stored);
}
