// Which expired images image cleanup may remove now: never one that a later, unexpired incremental still needs.

import { formatNbDateTime } from '../../cli/dates.js';
import type { ImageRecord } from '../../protocol/records.js';
import { sameStream, streamOf } from '../../protocol/backup-streams.js';

const INFINITY = 2147483647;

export interface KeptImage {
  image: ImageRecord;
  /** The unexpired image of the chain that holds it back. */
  heldBy: ImageRecord;
  reason: string;
}

export interface CleanupPlan {
  /** Expired images to remove, newest of each chain first (dependents go before what they depend on). */
  remove: ImageRecord[];
  /** Expired images kept because a later image of their chain has not expired. */
  kept: KeptImage[];
}

const INCREMENTAL: ReadonlySet<string> = new Set(['INCR', 'CINC']);

function oldestFirst(a: ImageRecord, b: ImageRecord): number {
  return a.backupTime - b.backupTime || (a.backupid < b.backupid ? -1 : a.backupid > b.backupid ? 1 : 0);
}

export function isExpired(image: ImageRecord, now: number): boolean {
  return image.expiration <= now;
}

/**
 * The images that depend on `images[i]` (same client, policy and stream, sorted oldest first): the later ones
 * up to the next full, as far as the last incremental among them (a restore of that incremental rebuilds
 * its tree from every earlier image of the chain). None when no incremental follows before the next full.
 */
function dependents(chain: readonly ImageRecord[], i: number): ImageRecord[] {
  let end = i;
  for (let j = i + 1; j < chain.length && chain[j]!.schedType !== 'FULL'; j++) if (INCREMENTAL.has(chain[j]!.schedType)) end = j;
  return chain.slice(i + 1, end + 1);
}

/** The images of `images` that depend on `target` (same client, policy and stream; see `dependents`). */
export function dependentsOf(images: readonly ImageRecord[], target: ImageRecord): ImageRecord[] {
  const chain = images.filter((i) => sameStream(i, target)).sort(oldestFirst);
  const i = chain.findIndex((x) => x.backupid === target.backupid);
  return i < 0 ? [] : dependents(chain, i);
}

/**
 * Decides, for the committed images and the time `now`, which expired images cleanup removes and which
 * it keeps and why. An image is removable when it has expired and so has every image that depends on it
 * (see `dependents`); the others are untouched. Pure: no I/O.
 */
export function planCleanup(images: readonly ImageRecord[], now: number): CleanupPlan {
  const chains = new Map<string, ImageRecord[]>();
  for (const image of images) {
    const k = `${image.client}\u0000${image.policy}\u0000${streamOf(image)}`;
    let list = chains.get(k);
    if (!list) chains.set(k, (list = []));
    list.push(image);
  }
  const remove: ImageRecord[] = [];
  const kept: KeptImage[] = [];
  for (const list of chains.values()) {
    list.sort(oldestFirst);
    const removable: ImageRecord[] = [];
    list.forEach((image, i) => {
      if (!isExpired(image, now)) return;
      const heldBy = dependents(list, i).find((d) => !isExpired(d, now));
      if (heldBy) {
        kept.push({
          image,
          heldBy,
          reason: `image ${image.backupid} expired but is kept: ${heldBy.schedType} image ${heldBy.backupid} of client ${image.client} policy ${image.policy} depends on it and expires ${heldBy.expiration >= INFINITY ? 'INFINITY' : formatNbDateTime(heldBy.expiration)}`,
        });
      } else removable.push(image);
    });
    remove.push(...removable.reverse());
  }
  return { remove, kept };
}
