// Directory listings made ahead of a walk by the addon's listing thread while the walk's JS thread goes through the
// directory it is in: an incremental's walk is listings and lstats as much as it is JS.

import { bytePathToBuffer } from '../../protocol/byte-path.js';
import { sys, type DirScan } from '../../native/sys.js';

/**
 * Listings asked for and not taken yet, at most. Enough to hold the next directories of a walk's deepest level beside
 * the siblings its upper levels asked for before (the addon also stops listing ahead while 65,536 entries wait).
 */
export const LISTINGS_AHEAD = 64;

export class ListingsAhead {
  private readonly asked = new Map<string, number>();

  constructor(
    private readonly maxStats: number,
    private readonly limit = LISTINGS_AHEAD,
  ) {}

  /** True while another listing may be asked for. */
  get hasRoom(): boolean {
    return this.asked.size < this.limit;
  }

  /**
   * Starts listing `dir` (nothing when it is already asked for, or there is no room). Listings asked for at a higher
   * `rank` are made first, then in the order asked: a walk ranks each round of asking above the ones before, as the
   * deeper directories it learns of come before the siblings it asked for earlier.
   */
  ask(dir: string, rank = 0): void {
    if (this.asked.has(dir) || !this.hasRoom) return;
    this.asked.set(dir, sys().askListing(bytePathToBuffer(dir), this.maxStats, rank));
  }

  /**
   * The listing of `dir` as scanDir returns it (or throws), when it was asked for: made ahead, or made now when the
   * listing thread has not come to it; undefined when it was not asked for. Each listing is taken once.
   */
  take(dir: string): DirScan | undefined {
    const id = this.asked.get(dir);
    if (id === undefined) return undefined;
    this.asked.delete(dir);
    return sys().takeListing(id);
  }
}
