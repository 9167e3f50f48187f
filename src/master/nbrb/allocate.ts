// nbrb's allocation queue: storage unit concurrency, jobs per client, priority order; waiting is queueing.

import type { StorageUnit, TapeAssignment } from '../../protocol/records.js';
import { OpenbpError } from '../../protocol/errors.js';
import { decideTape, type MediaView } from './tape-allocate.js';

export interface AllocationRequest {
  readonly jobid: number;
  readonly client: string;
  readonly policy: string;
  readonly priority: number;
  readonly stunit?: string;
  readonly kind: string;
  readonly arrived: number;
  /** The policy's "Limit jobs per policy"; 0 or absent = unlimited. */
  readonly maxPolicyJobs?: number;
  /** Tape backups: the policy's volume pool and the schedule's retention level. */
  readonly pool?: string;
  readonly retentionLevel?: number;
  /** Tape restores and verifies: the media IDs to read. */
  readonly media?: readonly string[];
}

export interface Allocation {
  readonly jobid: number;
  readonly client: string;
  readonly policy?: string;
  readonly kind: string;
  readonly unit: StorageUnit;
  /** Tape units: the drive and volumes the job holds, and the retention level its volumes must have. */
  tape?: TapeAssignment;
  readonly retentionLevel?: number;
}

export interface Limits {
  /** Maximum concurrent backup jobs per client (bp.conf MAX_JOBS_PER_CLIENT). */
  readonly maxJobsPerClient: number;
}

export type Decision = { unit: StorageUnit; tape?: TapeAssignment } | { wait: string } | { fail: OpenbpError };

/** Decides for one request given the current allocations; pure, so the limits are testable. `media` is needed for tape units. */
export function decide(req: AllocationRequest, units: readonly StorageUnit[], allocated: readonly Allocation[], limits: Limits, media?: MediaView): Decision {
  const candidates = req.stunit !== undefined && req.stunit !== '' && req.stunit !== '*ANY*' ? units.filter((u) => u.label === req.stunit) : units.filter((u) => !u.onDemandOnly);
  if (candidates.length === 0) {
    return req.stunit ? { fail: new OpenbpError('STU_UNAVAILABLE', `storage unit ${req.stunit} does not exist`) } : { fail: new OpenbpError('NO_STORAGE_UNITS') };
  }
  if (req.kind === 'backup') {
    if (limits.maxJobsPerClient === 0) return { fail: new OpenbpError('MAX_JOBS_PER_CLIENT_ZERO') };
    const running = allocated.filter((a) => a.client === req.client && a.kind === 'backup').length;
    if (running >= limits.maxJobsPerClient) return { wait: `maximum jobs per client (${limits.maxJobsPerClient}) reached for ${req.client}` };
    if (req.maxPolicyJobs) {
      const ofPolicy = allocated.filter((a) => a.policy === req.policy && a.kind === 'backup').length;
      if (ofPolicy >= req.maxPolicyJobs) return { wait: `limit jobs per policy (${req.maxPolicyJobs}) reached for ${req.policy}` };
    }
  }
  if (req.kind !== 'backup') return withTape(req, readerUnit(req, units, media) ?? candidates[0]!, allocated, media);
  let tapeWait: string | undefined;
  for (const u of candidates) {
    const used = allocated.filter((a) => a.unit.label === u.label && a.kind === 'backup').length;
    if (used >= u.concurrentJobs) continue;
    const d = withTape(req, u, allocated, media);
    if (!('wait' in d)) return d;
    tapeWait = d.wait;
  }
  return { wait: tapeWait ?? `maximum job count reached for storage unit ${candidates.map((u) => u.label).join(', ')}` };
}

/**
 * A restore or verify of tape media that names no storage unit (an imported image has none): a tape unit
 * of the robot and density of the first volume to read, on demand only or not.
 */
function readerUnit(req: AllocationRequest, units: readonly StorageUnit[], media: MediaView | undefined): StorageUnit | undefined {
  if ((req.stunit !== undefined && req.stunit !== '' && req.stunit !== '*ANY*') || !req.media?.length || !media) return undefined;
  const v = media.volumes.find((x) => x.mediaId === req.media![0]);
  if (!v) return undefined;
  return units.find((u) => u.type === 'tape' && u.robotNumber === v.robotNumber && u.density === v.density);
}

/** A disk unit as it is; a tape unit with a drive and volumes, or why not. */
function withTape(req: AllocationRequest, unit: StorageUnit, allocated: readonly Allocation[], media: MediaView | undefined): Decision {
  if (unit.type !== 'tape') return { unit };
  if (!media) return { fail: new OpenbpError('NO_DRIVES', `the media database was not read for tape unit ${unit.label}`) };
  const d = decideTape(req, unit, allocated.map((a) => a.tape), media);
  return 'tape' in d ? { unit, tape: d.tape } : d;
}

/** Orders waiting requests: higher priority first, then first come. */
export function queueOrder(a: AllocationRequest, b: AllocationRequest): number {
  return b.priority - a.priority || a.arrived - b.arrived;
}
