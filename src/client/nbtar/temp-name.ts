// Short temporary names beside the final one (names may be 255 bytes, so the temp name cannot extend them).

import crypto from 'node:crypto';
import path from 'node:path';

/** Random bytes drawn in bulk: one getrandom call per 1,024 names, not one per restored file. */
const pool = Buffer.alloc(4096);
let used = pool.length;

function randomHex8(): string {
  if (used + 4 > pool.length) {
    crypto.randomFillSync(pool);
    used = 0;
  }
  const hex = pool.toString('hex', used, used + 4);
  used += 4;
  return hex;
}

/** A fresh `.obp<8 hex>` path in the directory of `dest`. */
export function tempPathBeside(dest: string): string {
  const dir = path.posix.dirname(dest);
  return `${dir === '/' ? '' : dir}/.obp${randomHex8()}`;
}
