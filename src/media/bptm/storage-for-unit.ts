// Which storage driver bptm uses for a storage unit.

import type { BptmSpec } from '../../protocol/job-specs.js';
import type { MountableVolume } from '../../protocol/records.js';
import { OpenbpError } from '../../protocol/errors.js';
import type { StorageDriver } from '../../storage/driver.js';
import { openDiskDriver } from '../../storage/disk/disk-driver.js';
import type { VolumeTrouble } from '../../storage/tape/tape-driver.js';

/** What a tape driver needs from outside bptm: the next volume from the master, and the log. */
export interface TapeHooks {
  nextVolume(mediaId: string, reason: VolumeTrouble): Promise<MountableVolume>;
  log(line: string): void;
}

/** The tape driver's modules are loaded only for a tape unit (they are most of bptm's start-up otherwise). */
export async function driverForUnit(spec: BptmSpec, tape?: TapeHooks): Promise<StorageDriver> {
  const unit = spec.unit;
  if (unit.type === 'disk') return openDiskDriver(unit);
  if (!spec.tape) throw new OpenbpError('NO_DRIVES', `storage unit ${unit.label} is a tape unit and no drive was allocated`);
  const noMaster = async (): Promise<never> => {
    throw new OpenbpError('NO_MEDIA_AVAILABLE', 'this bptm cannot ask for another volume');
  };
  const { TapeDriver } = await import('../../storage/tape/tape-driver.js');
  return new TapeDriver({ unit, assignment: spec.tape, nextVolume: tape?.nextVolume ?? noMaster, ...(tape ? { log: tape.log } : {}) });
}
