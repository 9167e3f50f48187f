// The image cleanup job (bpdbjobs type 17): removes expired images from the catalogue and their fragments from storage.

import os from 'node:os';
import type { Home } from '../../config/home.js';
import { callDaemon } from '../../cli/daemon-call.js';
import { bpdbm } from '../../protocol/bpdbm.js';
import { bpjobd } from '../../protocol/bpjobd.js';
import { toOpenbpError } from '../../protocol/errors.js';
import { JOB_STATE, JOB_TYPE, type FragmentRecord, type JobRecord } from '../../protocol/records.js';
import { statusMessage } from '../../protocol/status.js';
import { deleteDiskFragments } from '../../storage/disk/delete-fragments.js';
import { planCleanup } from './cleanup-plan.js';
import { releaseEmptyVolumes } from './expired-volumes.js';
import { nowSeconds } from '../../config/clock.js';

export interface CleanupResult {
  jobid: number;
  status: number;
  removed: string[];
  kept: string[];
}

function cleanupJobRecord(now: number): JobRecord {
  const host = os.hostname().split('.')[0]!;
  return {
    jobid: 0, jobtype: JOB_TYPE.cleanup, state: JOB_STATE.active, policy: '', schedule: '', client: host, server: host,
    started: now, ended: 0, stunit: '', operation: 0, kbytes: 0, files: 0, pathLastWritten: '', percent: 0, jobpid: process.pid,
    owner: 'root', group: '0', subtype: 0, policyType: 0, schedType: 0, priority: 0, retentionLevel: 0, retentionPeriodDays: 0,
    compression: 0, fileList: [], tries: [{ pid: process.pid, stunit: '', server: host, started: now, ended: 0, statusLines: [], kbytes: 0, files: 0 }],
    backupid: '', parentJob: 0, stateDetail: '',
  };
}

/**
 * Closes cleanup jobs an earlier nbpem left active (killed mid-run) with status 50: only one nbpem runs
 * per home and its cleanups run one at a time, so an active type 17 job of another pid is an orphan.
 */
export async function closeOrphanCleanupJobs(home: Home, log: (line: string) => void): Promise<void> {
  const { jobs } = await callDaemon(home, bpjobd.list, { activeOnly: true });
  for (const j of jobs.filter((x) => x.jobtype === JOB_TYPE.cleanup && x.jobpid !== process.pid)) {
    const ended = nowSeconds();
    await callDaemon(home, bpjobd.update, {
      jobid: j.jobid,
      patch: { state: JOB_STATE.done, status: 50, ended, stateDetail: '' },
      tryLines: [`nbpem (pid ${j.jobpid}) ended before the image cleanup did`, `end job, status 50 (${statusMessage(50)})`],
      tryPatch: { status: 50, ended },
    });
    log(`image cleanup job ${j.jobid} left by pid ${j.jobpid}: closed with status 50`);
  }
}

/**
 * Runs one image cleanup job: plans with planCleanup at the current time, deletes each removable image
 * from bpdbm (catalogue first, so a crash never lists an image whose data is gone) and then its disk
 * fragments. Status 0 when everything planned was removed, 1 when something could not be, other codes
 * when the catalogue could not be read. Expired images kept for a dependent incremental do not change
 * the status; the job's status lines say why they stay.
 */
export async function runImageCleanup(home: Home, log: (line: string) => void): Promise<CleanupResult> {
  await closeOrphanCleanupJobs(home, log).catch((e) => log(`cannot close earlier cleanup jobs: ${(e as Error).message}`));
  const started = nowSeconds();
  const { jobid } = await callDaemon(home, bpjobd.create, cleanupJobRecord(started));
  const lines = (tryLines: string[]) => callDaemon(home, bpjobd.update, { jobid, patch: {}, tryLines }).catch(() => {});
  const removed: string[] = [];
  const kept: string[] = [];
  let status = 0;
  let failure: string | undefined;
  try {
    await lines(['begin image cleanup']);
    // Images being written count as dependents (an incremental running now may be based on an expired full).
    const { images } = await callDaemon(home, bpdbm.listImages, { includeIncomplete: true });
    const { images: committed } = await callDaemon(home, bpdbm.listImages, {});
    const isCommitted = new Set(committed.map((i) => i.backupid));
    const plan = planCleanup(images, started);
    plan.remove = plan.remove.filter((i) => isCommitted.has(i.backupid));
    for (const k of plan.kept) {
      kept.push(k.image.backupid);
      await lines([k.reason]);
    }
    const freed: FragmentRecord[] = [];
    for (const image of plan.remove) {
      try {
        const { fragments } = await callDaemon(home, bpdbm.deleteImage, { backupid: image.backupid });
        removed.push(image.backupid);
        freed.push(...fragments);
        await deleteDiskFragments(fragments);
        await lines([`expired image ${image.backupid} removed (${fragments.length} fragment${fragments.length === 1 ? '' : 's'})`]);
      } catch (e) {
        status = 1;
        await lines([`cannot remove image ${image.backupid}: ${(e as Error).message}`]);
      }
    }
    try {
      const released = await releaseEmptyVolumes(home, freed);
      if (released.length > 0) await lines([`media ${released.join(' ')} hold no unexpired image: unassigned`]);
    } catch (e) {
      status = 1;
      await lines([`cannot unassign emptied media: ${(e as Error).message}`]);
    }
    await lines([`${removed.length} expired image${removed.length === 1 ? '' : 's'} removed, ${kept.length} kept for dependent incrementals`]);
  } catch (e) {
    const err = toOpenbpError(e);
    status = err.status;
    failure = err.message;
  }
  const ended = nowSeconds();
  await callDaemon(home, bpjobd.update, {
    jobid,
    patch: { state: JOB_STATE.done, status, ended, percent: status <= 1 ? 100 : 0, stateDetail: '' },
    tryLines: [...(failure ? [failure] : []), `end job, status ${status} (${statusMessage(status)})`],
    tryPatch: { status, ended },
  });
  log(`image cleanup job ${jobid}: status ${status}, ${removed.length} removed, ${kept.length} kept`);
  return { jobid, status, removed, kept };
}
