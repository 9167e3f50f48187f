// After images leave the catalogue: the tape volumes that no longer hold any image go back to unassigned (nbemm).

import { nowSeconds } from '../../config/clock.js';
import type { Home } from '../../config/home.js';
import { callDaemon } from '../../cli/daemon-call.js';
import { bpdbm } from '../../protocol/bpdbm.js';
import { nbemm } from '../../protocol/nbemm.js';
import type { FragmentRecord } from '../../protocol/records.js';

/** FragmentRecord.mediaType of disk fragments; every other type lives on a volume. */
const MEDIA_TYPE_DISK = 0;

/**
 * For each volume that held one of `fragments` (of images just deleted): when no catalogued image (complete or
 * being written) has a fragment on it any more, nbemm unassigns it. Returns the media IDs unassigned.
 * A volume missing from the media database is skipped (it was never inventoried).
 */
export async function releaseEmptyVolumes(home: Home, fragments: readonly FragmentRecord[]): Promise<string[]> {
  const media = [...new Set(fragments.filter((f) => f.mediaType !== MEDIA_TYPE_DISK && f.mediaId !== '').map((f) => f.mediaId))];
  if (media.length === 0) return [];
  const listedAt = nowSeconds();
  const { images } = await callDaemon(home, bpdbm.listImages, { includeIncomplete: true });
  const inUse = new Set(images.flatMap((i) => i.fragments.map((f) => f.mediaId)));
  const released: string[] = [];
  for (const mediaId of media.filter((m) => !inUse.has(m))) {
    try {
      const r = await callDaemon(home, nbemm.volumeImagesExpired, { mediaId, listedAt });
      if (r.unassigned) released.push(mediaId);
    } catch (e) {
      if ((e as { status?: number }).status !== 95) throw e;
    }
  }
  return released;
}
