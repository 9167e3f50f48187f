// Reclaims the storage of fragments (aborted or expired images), whatever unit type holds them.

import fs from 'node:fs';
import type { FragmentRecord } from '../protocol/records.js';

/** Removes disk fragment files; idempotent (a missing file is already reclaimed). Tape fragments are reclaimed by media expiry. */
export function removeImageFragments(fragments: readonly FragmentRecord[]): void {
  for (const f of fragments) {
    if (f.mediaType === 0 && f.mediaId.startsWith('/')) fs.rmSync(f.mediaId, { force: true });
  }
}
