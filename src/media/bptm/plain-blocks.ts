// Whether an image's blocks are stored plain: then a stored block is a ring slot, and its checksum can travel with the slot.

import type { BptmSpec } from '../../protocol/job-specs.js';

/** True when the spec's image stores its blocks plain (no compression, no encryption). */
export function storesPlainBlocks(spec: BptmSpec): boolean {
  return spec.compress !== true && !spec.encrypt;
}
