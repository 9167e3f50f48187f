// Mounts a volume for an administrative command (bplabel, bpimport, bpmedialist -mcontents): the robot loads it
// into a free drive (or the drive it is already in), the drive is opened; release() puts everything back.
//
// This does not go through nbrb: a drive a job holds is seen as busy (its element is full, or its cartridge
// lock is held) and is not taken.

import path from 'node:path';
import { OpenbpError } from '../../protocol/errors.js';
import type { DriveRecord, RobotRecord, VolumeRecord } from '../../protocol/records.js';
import type { ChangerStatus } from './changer-status.js';
import { VirtualLibrary } from './library.js';
import { MtxChanger } from './mtx-changer.js';
import { StDrive } from './st-drive.js';
import type { Changer, TapeDevice, TapeHandle } from './tape-device.js';
import { errorText } from './tape-error.js';

export interface MountRequest {
  readonly robots: readonly RobotRecord[];
  readonly drives: readonly DriveRecord[];
  readonly volume: VolumeRecord;
  /** tpconfig drive index (bplabel -u); default: the drive holding the volume, else the first UP empty drive of its robot. */
  readonly driveIndex?: number;
  readonly write: boolean;
}

export interface MountedCartridge {
  readonly handle: TapeHandle;
  readonly drive: DriveRecord;
  /** Closes the handle; a cartridge this mount loaded is taken offline and returned to its slot. */
  release(): Promise<void>;
}

/** The device of a drive record: /dev/nst* is a real st drive, DIR/driveN a drive of the virtual library DIR. */
async function deviceOf(drive: DriveRecord, lib: VirtualLibrary | undefined): Promise<TapeDevice> {
  if (drive.path.startsWith('/dev/')) return new StDrive(drive.path);
  const m = /^drive(\d+)$/.exec(path.basename(drive.path));
  if (!m) throw new OpenbpError('MEDIA_OPEN_ERROR', `drive ${drive.index} path ${drive.path} is neither /dev/nst* nor a virtual library DIR/driveN`);
  const l = lib && path.resolve(lib.dir) === path.resolve(path.dirname(drive.path)) ? lib : await VirtualLibrary.open(path.dirname(drive.path));
  return l.drive(Number(m[1]));
}

async function openHandle(device: TapeDevice, write: boolean, drive: DriveRecord): Promise<TapeHandle> {
  try {
    return await device.open({ rewindOnClose: false, write });
  } catch (e) {
    throw new OpenbpError('MEDIA_OPEN_ERROR', `opening drive ${drive.index} (${drive.path}): ${errorText(e)}`, { cause: e });
  }
}

/** Mounts `volume` and opens its drive. Errors: 164 volume not in its robot, 2001 no free UP drive, 83 open failure. */
export async function mountCartridge(req: MountRequest): Promise<MountedCartridge> {
  const v = req.volume;
  const chosen = req.driveIndex === undefined ? undefined : req.drives.find((d) => d.index === req.driveIndex);
  if (req.driveIndex !== undefined && !chosen) throw new OpenbpError('INVALID_PARAMETER', `drive index ${req.driveIndex} does not exist (tpconfig -d lists them)`);
  if (chosen && chosen.status === 'DOWN') throw new OpenbpError('MEDIA_UNAVAILABLE', `drive ${chosen.index} (${chosen.name}) is DOWN`, { media: v.mediaId });
  const robot = v.robotNumber === undefined ? undefined : req.robots.find((r) => r.number === v.robotNumber);
  if (!robot) {
    // Standalone: the operator has put the cartridge in the drive.
    const drive = chosen ?? req.drives.find((d) => d.robotNumber === undefined && d.status === 'UP');
    if (!drive) throw new OpenbpError('NO_DRIVES', `${v.mediaId} is not in a robot and no standalone drive is UP`, { media: v.mediaId });
    const handle = await openHandle(await deviceOf(drive, undefined), req.write, drive);
    return { handle, drive, release: () => handle.close() };
  }
  const lib = robot.path.startsWith('/dev/') ? undefined : await VirtualLibrary.open(robot.path);
  const changer: Changer = lib ? lib.changer() : new MtxChanger(robot.path);
  let st: ChangerStatus;
  try {
    st = await changer.status();
  } catch (e) {
    throw new OpenbpError('MEDIA_UNAVAILABLE', `cannot read robot ${robot.type}(${robot.number}): ${errorText(e)}`, { media: v.mediaId });
  }
  const robotDrives = req.drives.filter((d) => d.robotNumber === robot.number);
  const inDrive = st.drives.find((d) => d.full && d.barcode === v.barcode);
  let drive: DriveRecord | undefined;
  let loadedFrom: number | undefined;
  if (inDrive) {
    drive = robotDrives.find((d) => d.robotDrive === inDrive.n);
    if (!drive) throw new OpenbpError('MEDIA_UNAVAILABLE', `${v.mediaId} is in robot drive ${inDrive.n}, which is not configured (tpconfig -add -drive)`, { media: v.mediaId });
    if (chosen && chosen.index !== drive.index) throw new OpenbpError('MEDIA_UNAVAILABLE', `${v.mediaId} is already in drive ${drive.index}, not ${chosen.index}`, { media: v.mediaId });
  } else {
    const slot = st.slots.find((s) => s.full && s.barcode === v.barcode && !s.importExport);
    if (!slot) throw new OpenbpError('MEDIA_UNAVAILABLE', `${v.mediaId} (barcode ${v.barcode}) is not in robot ${robot.type}(${robot.number}): run vmupdate`, { media: v.mediaId });
    const empty = (d: DriveRecord) => d.status === 'UP' && st.drives.some((e) => e.n === d.robotDrive && !e.full);
    if (chosen && (chosen.robotNumber !== robot.number || !empty(chosen))) throw new OpenbpError('NO_DRIVES', `drive ${chosen.index} is not an empty UP drive of robot ${robot.number}`, { media: v.mediaId });
    drive = chosen ?? robotDrives.find(empty);
    if (!drive) throw new OpenbpError('NO_DRIVES', `no empty UP drive in robot ${robot.type}(${robot.number}) for ${v.mediaId}`, { media: v.mediaId });
    try {
      await changer.load(slot.n, drive.robotDrive!);
    } catch (e) {
      throw new OpenbpError('MEDIA_UNAVAILABLE', `loading ${v.mediaId} from slot ${slot.n} into drive ${drive.index}: ${errorText(e)}`, { cause: e, media: v.mediaId });
    }
    loadedFrom = slot.n;
  }
  const d = drive;
  const unloadBack = async () => {
    if (loadedFrom !== undefined) await changer.unload(d.robotDrive!, loadedFrom);
  };
  let handle: TapeHandle;
  try {
    handle = await openHandle(await deviceOf(d, lib), req.write, d);
  } catch (e) {
    await unloadBack().catch(() => {});
    throw e;
  }
  return {
    handle,
    drive: d,
    release: async () => {
      try {
        if (loadedFrom !== undefined) await handle.unload();
      } finally {
        await handle.close();
      }
      await unloadBack();
    },
  };
}
