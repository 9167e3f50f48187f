// Short temporary names beside the final one (names may be 255 bytes, so the temp name cannot extend them).

import crypto from 'node:crypto';
import path from 'node:path';

/** A fresh `.obp<8 hex>` path in the directory of `dest`. */
export function tempPathBeside(dest: string): string {
  return `${path.posix.dirname(dest) === '/' ? '' : path.posix.dirname(dest)}/.obp${crypto.randomBytes(4).toString('hex')}`;
}
