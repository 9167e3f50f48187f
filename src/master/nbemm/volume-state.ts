// What a volume's state allows: the predicates nbrb and the media commands share (status bits as bpmedialist -L).

import type { VolumeRecord } from '../../protocol/records.js';

/** Status bits of a volume (bpmedialist -L status = 0x...). */
export const MEDIA_STATUS = { FROZEN: 0x1, SUSPENDED: 0x2, FULL: 0x8, IMPORTED: 0x40 } as const;

export function isFrozen(v: VolumeRecord): boolean {
  return (v.status & MEDIA_STATUS.FROZEN) !== 0;
}

/**
 * Whether a backup may write to the volume: never when FROZEN (kept, images restorable), SUSPENDED (not
 * appended until its images expire) or FULL. Allocation must also check pool, density and retention.
 */
export function isWritable(v: VolumeRecord): boolean {
  return (v.status & (MEDIA_STATUS.FROZEN | MEDIA_STATUS.SUSPENDED | MEDIA_STATUS.FULL)) === 0;
}

/** The volume as it is once no image is on it: unassigned, nothing counted, only FROZEN kept. */
export function unassigned(v: VolumeRecord): VolumeRecord {
  return {
    ...v,
    assigned: 0,
    lastWritten: 0,
    expiration: 0,
    retentionLevel: 0,
    kbytes: 0,
    images: 0,
    validImages: 0,
    status: (v.status & MEDIA_STATUS.FROZEN) >>> 0,
  };
}
