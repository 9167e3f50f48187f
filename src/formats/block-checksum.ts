// The catalogue's checksum of a stored block (see block-frame.ts): its own module so that the bptm child loads only
// node:crypto and the addon.

import crypto from 'node:crypto';
import { sys } from '../native/sys.js';

/**
 * Which hash a block's checksum is the prefix of, fixed per block index section by its version (block-index.ts):
 * sha256 in version 1, BLAKE3 in version 2 (what images are written with: four times sha256's speed here).
 */
export type SumKind = 'sha256' | 'blake3';

/** What new images are written with. */
export const WRITE_SUM: SumKind = 'blake3';

/** The number that names each hash where it crosses a boundary: the addon's kind, byte 1 of a SUM frame on the ring. */
export const SUM_CODE = { sha256: 1, blake3: 2 } as const satisfies Record<SumKind, number>;

/** The hash a SUM_CODE names (undefined for no hash). */
export function sumOfCode(code: number): SumKind | undefined {
  return code === SUM_CODE.sha256 ? 'sha256' : code === SUM_CODE.blake3 ? 'blake3' : undefined;
}

/** Writes a block checksum (16 hex digits) as its 8 bytes into `into` at `at`; throws when they are not 8 hex bytes. */
export function writeChecksum(into: Buffer, at: number, checksum: string): void {
  if (into.write(checksum, at, 8, 'hex') !== 8) throw new Error(`not a block checksum: ${checksum}`);
}

/** Whether the addon hashes sha256 (false once it said ENOSYS: node:crypto then). */
let addonSha = true;

/** The catalogue's checksum of a stored block: the first 8 bytes of its sha256 or BLAKE3, hex. */
export function blockChecksum(stored: Uint8Array, kind: SumKind): string {
  if (kind === 'sha256') return crypto.createHash('sha256').update(stored).digest().toString('hex', 0, 8);
  return sys().blockSumSync(stored, SUM_CODE.blake3);
}

/**
 * blockChecksum on the libuv thread pool (the addon hashes the bytes where they lie): several blocks hash at once,
 * beside the caller's other work. The bytes must not change until it resolves.
 */
export async function blockChecksumPooled(stored: Uint8Array, kind: SumKind): Promise<string> {
  if (kind === 'sha256' && !addonSha) return blockChecksum(stored, kind);
  try {
    return await sys().blockSum(stored, SUM_CODE[kind]);
  } catch (e) {
    if (kind !== 'sha256' || (e as NodeJS.ErrnoException).code !== 'ENOSYS') throw e;
    addonSha = false;
    return blockChecksum(stored, kind);
  }
}
