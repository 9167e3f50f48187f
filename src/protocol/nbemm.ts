// nbemm: the media manager database (storage units for now).

import { message } from './message.js';
import { arr, empty, obj, opt, str } from './schema.js';
import { storageUnit } from './records.js';

export const nbemm = {
  listStorageUnits: message('nbemm', 'list-stu', obj({ label: opt(str) }), obj({ units: arr(storageUnit) })),
  addStorageUnit: message('nbemm', 'add-stu', storageUnit, empty),
  deleteStorageUnit: message('nbemm', 'delete-stu', obj({ label: str }), empty),
};
