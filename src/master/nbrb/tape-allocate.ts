// nbrb's tape decisions: a free UP drive of the unit's robot, and a volume (pool, retention, scratch) — pure.

import { OpenbpError } from '../../protocol/errors.js';
import type { DriveRecord, MountableVolume, RobotRecord, StorageUnit, TapeAssignment, VolumePool, VolumeRecord } from '../../protocol/records.js';

/** What nbemm knows about devices and volumes, read once per evaluation. */
export interface MediaView {
  readonly robots: readonly RobotRecord[];
  readonly drives: readonly DriveRecord[];
  readonly volumes: readonly VolumeRecord[];
  readonly pools: readonly VolumePool[];
}

/** What a tape job asks for: a backup writes to `pool` with `retentionLevel`; a restore reads `media`. */
export interface TapeNeed {
  readonly kind: string;
  readonly pool?: string;
  readonly retentionLevel?: number;
  readonly media?: readonly string[];
}

export type TapeDecision = { tape: TapeAssignment } | { wait: string } | { fail: OpenbpError };

/** Volume status bits that keep a volume from being written (FROZEN, SUSPENDED, FULL). */
const NOT_WRITABLE = 0x1 | 0x2 | 0x8;
export const SCRATCH_POOL_NAME = 'Scratch';
export const DEFAULT_POOL_NAME = 'NetBackup';

function mountable(v: VolumeRecord): MountableVolume {
  return { mediaId: v.mediaId, barcode: v.barcode };
}

/** Media IDs held by other tape jobs (written or read). */
export function volumesInUse(tapes: readonly (TapeAssignment | undefined)[]): Set<string> {
  const out = new Set<string>();
  for (const t of tapes) {
    if (!t) continue;
    if (t.volume) out.add(t.volume.mediaId);
    for (const v of t.readVolumes) out.add(v.mediaId);
  }
  return out;
}

/**
 * The volume a backup writes to: a volume of `poolName` already assigned with the same retention level
 * (the one with most images first, so cartridges fill up), else an unassigned volume of the pool, else a
 * Scratch volume of the robot (moved into the pool on use). Never FROZEN, SUSPENDED or FULL ones, never
 * one in `inUse` or `exclude`. `wait` when only volumes in use would fit, `fail` 96 when none at all.
 */
export function pickVolume(
  unit: StorageUnit,
  poolName: string,
  retentionLevel: number,
  view: MediaView,
  inUse: ReadonlySet<string>,
): { volume: MountableVolume } | { wait: string } | { fail: OpenbpError } {
  const pool = view.pools.find((p) => p.name === poolName);
  if (!pool) return { fail: new OpenbpError('NO_SUCH_POOL', `volume pool ${poolName} does not exist`) };
  const scratch = view.pools.find((p) => p.name === SCRATCH_POOL_NAME);
  const inRobot = (v: VolumeRecord) =>
    v.robotNumber === unit.robotNumber && v.slot !== undefined && v.density === unit.density && (v.status & NOT_WRITABLE) === 0;
  const assigned = (v: VolumeRecord) => v.assigned > 0;
  const candidates = view.volumes.filter(inRobot);
  const tiers: VolumeRecord[][] = [
    candidates.filter((v) => v.pool === pool.number && assigned(v) && v.retentionLevel === retentionLevel).sort((a, b) => b.images - a.images || a.mediaId.localeCompare(b.mediaId)),
    candidates.filter((v) => v.pool === pool.number && !assigned(v)),
    scratch && scratch.number !== pool.number ? candidates.filter((v) => v.pool === scratch.number) : [],
  ];
  let busy = 0;
  for (const tier of tiers) {
    for (const v of tier) {
      if (inUse.has(v.mediaId)) busy++;
      else return { volume: mountable(v) };
    }
  }
  if (busy > 0) return { wait: `waiting for media: the ${busy} usable volume(s) of pool ${poolName} are in use` };
  return {
    fail: new OpenbpError('NO_MEDIA_AVAILABLE', `no usable volume in pool ${poolName} or ${SCRATCH_POOL_NAME} for ${unit.density} retention level ${retentionLevel} in ${unit.robotType}(${unit.robotNumber})`),
  };
}

/** Decides the drive and volumes of a tape job on `unit`, given the other jobs' assignments. */
export function decideTape(need: TapeNeed, unit: StorageUnit, others: readonly (TapeAssignment | undefined)[], view: MediaView): TapeDecision {
  const robot = view.robots.find((r) => r.number === unit.robotNumber);
  const name = `${unit.robotType ?? 'robot'}(${unit.robotNumber ?? -1})`;
  if (!robot) return { fail: new OpenbpError('NO_DRIVES', `robot ${name} of storage unit ${unit.label} is not configured`) };
  const drives = view.drives.filter((d) => d.robotNumber === robot.number && d.type === unit.density);
  const up = drives.filter((d) => d.status === 'UP');
  if (up.length === 0) {
    return { fail: new OpenbpError('NO_DRIVES', drives.length === 0 ? `robot ${name} has no ${unit.density} drive` : `every ${unit.density} drive of ${name} is DOWN`) };
  }
  const busyDrives = new Set(others.map((t) => t?.drive.index));
  const drive = up.find((d) => !busyDrives.has(d.index));
  if (!drive) return { wait: `waiting for a drive: all ${up.length} ${unit.density} drive(s) of ${name} are in use` };
  const inUse = volumesInUse(others);
  if (need.kind === 'backup') {
    const pool = need.pool || DEFAULT_POOL_NAME;
    const pick = pickVolume(unit, pool, need.retentionLevel ?? 0, view, inUse);
    if (!('volume' in pick)) return pick;
    return { tape: { robot, drive, volume: pick.volume, pool, readVolumes: [] } };
  }
  const readVolumes: MountableVolume[] = [];
  for (const id of need.media ?? []) {
    const v = view.volumes.find((x) => x.mediaId === id);
    if (!v) return { fail: new OpenbpError('MEDIA_NOT_FOUND', `media ID ${id} is not in the volume database`) };
    if (v.robotNumber !== robot.number) return { fail: new OpenbpError('MEDIA_NOT_FOUND', `media ID ${id} is not in robot ${name}`) };
    if (inUse.has(id)) return { wait: `waiting for media ${id}: in use by another job` };
    if (!readVolumes.some((r) => r.mediaId === id)) readVolumes.push(mountable(v));
  }
  return { tape: { robot, drive, pool: '', readVolumes } };
}
