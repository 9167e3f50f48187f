// For media commands: look a volume and the devices up in nbemm, then mount it (robot load, drive open).

import type { Home } from '../config/home.js';
import { OpenbpError } from '../protocol/errors.js';
import { nbemm } from '../protocol/nbemm.js';
import type { VolumePool, VolumeRecord } from '../protocol/records.js';
import { mountCartridge, type MountedCartridge } from '../storage/tape/mount-cartridge.js';
import { callDaemon } from './daemon-call.js';

export interface VolumeMountOptions {
  readonly write: boolean;
  /** tpconfig drive index (-u). */
  readonly driveIndex?: number;
  /** -rt / -rn: the volume must be in this robot. */
  readonly robotType?: string;
  readonly robotNumber?: number;
}

/** The volume's record and the pools (95 when the media ID is not in the volume database). */
export async function lookUpVolume(home: Home, mediaId: string): Promise<{ volume: VolumeRecord; pools: VolumePool[] }> {
  const { volumes, pools } = await callDaemon(home, nbemm.listVolumes, { mediaId });
  const volume = volumes[0];
  if (!volume) throw new OpenbpError('MEDIA_NOT_FOUND', `media ID ${mediaId} is not in the volume database`, { media: mediaId });
  return { volume, pools };
}

/** Mounts the volume; the caller must release() it. */
export async function mountVolume(home: Home, volume: VolumeRecord, o: VolumeMountOptions): Promise<MountedCartridge> {
  if (o.robotNumber !== undefined && volume.robotNumber !== o.robotNumber) {
    throw new OpenbpError('MEDIA_UNAVAILABLE', `${volume.mediaId} is not in robot ${o.robotNumber} (${volume.robotNumber === undefined ? 'standalone' : `robot ${volume.robotNumber}`})`, { media: volume.mediaId });
  }
  if (o.robotType !== undefined && volume.robotType !== o.robotType.toUpperCase()) {
    throw new OpenbpError('MEDIA_UNAVAILABLE', `${volume.mediaId} is in a ${volume.robotType} robot, not ${o.robotType}`, { media: volume.mediaId });
  }
  const { robots, drives } = await callDaemon(home, nbemm.listDevices, {});
  return mountCartridge({ robots, drives, volume, write: o.write, ...(o.driveIndex !== undefined ? { driveIndex: o.driveIndex } : {}) });
}
