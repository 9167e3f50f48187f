// nbemm: the media manager database (storage units for now).

import { message } from './message.js';
import { arr, bool, empty, int, obj, opt, str } from './schema.js';
import { storageUnit } from './records.js';

export const nbemm = {
  listStorageUnits: message('nbemm', 'list-stu', obj({ label: opt(str) }), obj({ units: arr(storageUnit) })),
  addStorageUnit: message('nbemm', 'add-stu', storageUnit, empty),
  deleteStorageUnit: message('nbemm', 'delete-stu', obj({ label: str }), empty),
  /** Changes some attributes of a storage unit (bpsturep); returns the unit as it is now. */
  updateStorageUnit: message(
    'nbemm',
    'update-stu',
    obj({
      label: str,
      path: opt(str),
      host: opt(str),
      concurrentJobs: opt(int),
      maxFragmentMB: opt(int),
      highWaterMark: opt(int),
      lowWaterMark: opt(int),
      onDemandOnly: opt(bool),
      maxMpx: opt(int),
    }),
    storageUnit,
  ),
};
