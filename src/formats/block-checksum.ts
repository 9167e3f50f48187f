// The catalogue's checksum of a stored block (see block-frame.ts): its own module so that the bptm child loads only node:crypto.

import crypto from 'node:crypto';

/** The catalogue's checksum of a stored block: the first 8 bytes of its sha256, hex. */
export function blockChecksum(stored: Uint8Array): string {
  return crypto.createHash('sha256').update(stored).digest().toString('hex', 0, 8);
}
