// nbemm's routes for robots, drives, volume pools and volumes (tpconfig, vmupdate, vmquery, vmchange, vmpool, bpmedia, vmoprcmd).

import { route, type Route } from '../../ipc/rpc-server.js';
import { nbemm } from '../../protocol/nbemm.js';
import type { MediaStore } from './media-store.js';

export function mediaRoutes(db: MediaStore): Route[] {
  return [
    route(nbemm.listDevices, () => ({ robots: db.sortedRobots(), drives: db.sortedDrives() })),
    route(nbemm.addRobot, (r) => {
      db.addRobot(r);
      return {};
    }),
    route(nbemm.deleteRobot, ({ number }) => {
      db.deleteRobot(number);
      return {};
    }),
    route(nbemm.addDrive, (d) => db.addDrive(d)),
    route(nbemm.deleteDrive, ({ index }) => {
      db.deleteDrive(index);
      return {};
    }),
    route(nbemm.setDriveStatus, ({ index, status }) => db.setDriveStatus(index, status)),
    route(nbemm.listPools, () => ({ pools: db.sortedPools() })),
    route(nbemm.addPool, ({ name, description }) => db.addPool(name, description)),
    route(nbemm.inventoryRobot, ({ robotNumber, density, pool, slots }) => db.inventory(robotNumber, density, slots, pool)),
    route(nbemm.listVolumes, (q) => ({ volumes: db.listVolumes(q), pools: db.sortedPools() })),
    route(nbemm.changeVolume, (c) => db.changeVolume(c)),
    route(nbemm.assignVolume, ({ mediaId, pool, retentionLevel }) => db.assignVolume(mediaId, pool, retentionLevel)),
    route(nbemm.volumeWritten, (w) => db.volumeWritten(w)),
    route(nbemm.volumeRead, (r) => db.volumeRead(r)),
    route(nbemm.labelVolume, ({ mediaId, pool }) => db.labelVolume(mediaId, pool)),
    route(nbemm.volumeImagesExpired, ({ mediaId, listedAt }) => db.volumeImagesExpired(mediaId, listedAt)),
    route(nbemm.volumeImported, (c) => db.volumeImported(c)),
  ];
}
