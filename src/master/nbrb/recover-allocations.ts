// nbrb after a restart: the allocations of jobs still running, rebuilt from their job records — pure.

import { JOB_STATE, JOB_TYPE, type JobRecord, type JobTapeResources, type StorageUnit, type TapeAssignment } from '../../protocol/records.js';
import type { Allocation } from './allocate.js';
import type { MediaView } from './tape-allocate.js';

/** What nbrb records in a job's record when it grants tape resources (the inverse of tapeOfResources). */
export function tapeResources(tape: TapeAssignment): JobTapeResources {
  return {
    robot: tape.robot.number,
    drive: tape.drive.index,
    ...(tape.volume ? { volume: tape.volume.mediaId } : {}),
    pool: tape.pool,
    readVolumes: tape.readVolumes.map((v) => v.mediaId),
  };
}

/**
 * The tape assignment a job record names, with the robot, drive and volumes nbemm knows now. A volume nbemm
 * no longer knows keeps its media ID (the barcode is only needed to mount, which the job already did); a drive
 * or robot nbemm no longer knows gives undefined (nothing to collide with).
 */
export function tapeOfResources(r: JobTapeResources, media: MediaView): TapeAssignment | undefined {
  const robot = media.robots.find((x) => x.number === r.robot);
  const drive = media.drives.find((d) => d.robotNumber === r.robot && d.index === r.drive);
  if (!robot || !drive) return undefined;
  const mountable = (mediaId: string) => {
    const v = media.volumes.find((x) => x.mediaId === mediaId);
    return { mediaId, barcode: v?.barcode ?? '' };
  };
  return {
    robot,
    drive,
    ...(r.volume !== undefined ? { volume: mountable(r.volume) } : {}),
    pool: r.pool,
    readVolumes: r.readVolumes.map(mountable),
  };
}

/** The allocations of active jobs that were running on a storage unit, with their tape resources. */
export function recoverAllocations(jobs: readonly JobRecord[], units: readonly StorageUnit[], media: MediaView | undefined): Allocation[] {
  const out: Allocation[] = [];
  for (const j of jobs) {
    const unit = units.find((u) => u.label === j.stunit);
    if (j.state !== JOB_STATE.active || !unit) continue;
    const kind = j.jobtype === JOB_TYPE.restore ? 'restore' : j.jobtype === JOB_TYPE.verify ? 'verify' : 'backup';
    const tape = j.tape && media ? tapeOfResources(j.tape, media) : undefined;
    out.push({ jobid: j.jobid, client: j.client, policy: j.policy, kind, unit, ...(tape ? { tape, retentionLevel: j.retentionLevel } : {}) });
  }
  return out;
}
