// nbemm: the media manager database (storage units, robots, drives, volume pools, volumes).

import { message } from './message.js';
import { arr, bool, empty, int, obj, oneOf, opt, str } from './schema.js';
import { driveRecord, robotRecord, storageUnit, volumePool, volumeRecord } from './records.js';

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
      density: opt(str),
      robotType: opt(str),
      robotNumber: opt(int),
    }),
    storageUnit,
  ),

  // ---- devices (tpconfig, vmoprcmd) ----
  listDevices: message('nbemm', 'list-devices', empty, obj({ robots: arr(robotRecord), drives: arr(driveRecord) })),
  addRobot: message('nbemm', 'add-robot', robotRecord, empty),
  deleteRobot: message('nbemm', 'delete-robot', obj({ number: int }), empty),
  /** Adds a drive; index absent = the next free index. Returns the drive as stored. */
  addDrive: message('nbemm', 'add-drive', obj({ index: opt(int), name: opt(str), type: str, path: str, robotNumber: opt(int), robotType: opt(str), robotDrive: opt(int), status: opt(oneOf('UP', 'DOWN')) }), driveRecord),
  deleteDrive: message('nbemm', 'delete-drive', obj({ index: int }), empty),
  setDriveStatus: message('nbemm', 'set-drive-status', obj({ index: int, status: oneOf('UP', 'DOWN') }), driveRecord),
  // ---- volume pools (vmpool) ----
  listPools: message('nbemm', 'list-pools', empty, obj({ pools: arr(volumePool) })),
  addPool: message('nbemm', 'add-pool', obj({ name: str, description: opt(str) }), volumePool),
  // ---- volumes (vmupdate, vmquery, vmchange, bpmedia, bpmedialist) ----
  /** The robot's inventory as read from its changer: new barcodes become volumes in `pool` (default Scratch); known ones get their slot. */
  inventoryRobot: message(
    'nbemm',
    'inventory-robot',
    obj({ robotNumber: int, density: str, pool: opt(str), slots: arr(obj({ slot: int, barcode: str })) }),
    obj({ added: arr(str), moved: arr(str), unchanged: arr(str), removed: arr(str) }),
  ),
  listVolumes: message('nbemm', 'list-volumes', obj({ mediaId: opt(str), pool: opt(str), robotNumber: opt(int) }), obj({ volumes: arr(volumeRecord), pools: arr(volumePool) })),
  /** Changes a volume: its pool (by number or name) and/or status bits to set and clear. */
  changeVolume: message(
    'nbemm',
    'change-volume',
    obj({ mediaId: str, poolNumber: opt(int), poolName: opt(str), setStatus: opt(int), clearStatus: opt(int) }),
    volumeRecord,
  ),
  /**
   * A tape job takes a volume (nbrb): a Scratch volume moves into `pool`, an unassigned one gets its
   * assignment time and `retentionLevel`; the mount is counted.
   */
  assignVolume: message('nbemm', 'assign-volume', obj({ mediaId: str, pool: str, retentionLevel: int }), volumeRecord),
  /** An image was committed with `kbytes` on this volume: images, kbytes and last-written time grow. */
  volumeWritten: message('nbemm', 'volume-written', obj({ mediaId: str, kbytes: int, images: int, written: int }), volumeRecord),
  /** A restore read from this volume: its restore count, mount count and last-read time grow. */
  volumeRead: message('nbemm', 'volume-read', obj({ mediaId: str, read: int }), volumeRecord),
  /**
   * bplabel wrote a new media header: the volume is unassigned (no images, no retention, FULL/SUSPENDED/IMPORTED
   * cleared; FROZEN kept) and moves to `pool` when given.
   */
  labelVolume: message('nbemm', 'label-volume', obj({ mediaId: str, pool: opt(str) }), volumeRecord),
  /**
   * Every image that was on the volume has expired (cleanup job, bpexpdate). The volume is unassigned: back to
   * the scratch pool when it came from there, else unassigned in its pool; images and kbytes reset. A FROZEN
   * volume stays assigned and frozen (NetBackup never unassigns frozen media). `listedAt` is when the caller
   * saw no image on it: a volume written after that is left alone. `unassigned` says whether it was.
   */
  volumeImagesExpired: message(
    'nbemm',
    'volume-images-expired',
    obj({ mediaId: str, listedAt: int }),
    obj({ volume: volumeRecord, unassigned: bool }),
  ),
  /** bpimport phase 2 put images of this volume into the catalogue: it is assigned, counted and flagged IMPORTED. */
  volumeImported: message(
    'nbemm',
    'volume-imported',
    obj({ mediaId: str, images: int, kbytes: int, expiration: int, retentionLevel: int }),
    volumeRecord,
  ),
};
