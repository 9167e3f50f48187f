// nbjm's tape bookkeeping: which volumes a read needs, and the volume statistics an image adds when committed.

import type { FragmentRecord, StorageUnit, TapeAssignment } from '../../protocol/records.js';

/** FragmentRecord.mediaType of a tape fragment (as the tape writer records it). */
const TAPE = 2;

/** What nbrb granted a job: the unit, and on a tape unit the drive and volumes. */
export interface Granted {
  readonly unit: StorageUnit;
  readonly tape?: TapeAssignment;
}

/** The media IDs of the tape fragments, in fragment order, each once. */
export function tapeMediaOf(fragments: readonly FragmentRecord[]): string[] {
  const out: string[] = [];
  for (const f of [...fragments].sort((a, b) => a.copy - b.copy || a.fragment - b.fragment)) {
    if (f.mediaType === TAPE && !out.includes(f.mediaId)) out.push(f.mediaId);
  }
  return out;
}

/** Per volume: the kilobytes one committed image put there (each volume counts the image once). */
export function volumeWrites(fragments: readonly FragmentRecord[]): { mediaId: string; kbytes: number }[] {
  const by = new Map<string, number>();
  for (const f of fragments) if (f.mediaType === TAPE) by.set(f.mediaId, (by.get(f.mediaId) ?? 0) + f.kbytes + (f.remainder > 0 ? 1 : 0));
  return [...by].map(([mediaId, kbytes]) => ({ mediaId, kbytes }));
}
