// Which storage driver bptm uses for a storage unit.

import type { StorageUnit } from '../../protocol/records.js';
import { OpenbpError } from '../../protocol/errors.js';
import type { StorageDriver } from '../../storage/driver.js';
import { openDiskDriver } from '../../storage/disk/disk-driver.js';

export function driverForUnit(unit: StorageUnit): StorageDriver {
  if (unit.type === 'disk') return openDiskDriver(unit);
  throw new OpenbpError('MEDIA_OPEN_ERROR', `storage unit ${unit.label} is a tape unit; this bptm drives disk units only`);
}
