// What nbjm does after a restart: jobs left running by the nbjm that died are adopted (their bpbrm
// still runs and will report) or closed with a status; images they left half-written are removed.

import fs from 'node:fs';
import { bpjobd } from '../../protocol/bpjobd.js';
import { bpdbm } from '../../protocol/bpdbm.js';
import { JOB_STATE, JOB_TYPE } from '../../protocol/records.js';
import type { Home } from '../../config/home.js';
import type { LogLine } from '../../config/daemon-log.js';
import { callDaemon } from '../../cli/daemon-call.js';

export interface OrphanEnd {
  status: number;
  kbytes: number;
  files: number;
  message?: string;
}

export interface RecoveryDeps {
  home: Home;
  log: LogLine;
  /** The job is run by this nbjm. */
  isMine(jobid: number): boolean;
  finishOrphan(jobid: number, end: OrphanEnd): Promise<void>;
  abortImage(jobid: number, backupid: string): Promise<void>;
}

const WATCH_MS = 1000;

function runs(pid: number, comm: string): boolean {
  try {
    return fs.readFileSync(`/proc/${pid}/comm`, 'utf8').trim() === comm;
  } catch {
    return false;
  }
}

function isBpbrm(pid: number): boolean {
  return runs(pid, 'bpbrm');
}

export function createRecovery(deps: RecoveryDeps) {
  const watched = new Map<number, NodeJS.Timeout>();

  /** Watches an adopted bpbrm: if it dies without reporting, its job ends with 50. */
  function adopt(jobid: number, pid: number): void {
    const timer = setInterval(() => {
      if (isBpbrm(pid)) return;
      forget(jobid);
      void deps
        .finishOrphan(jobid, { status: 50, kbytes: 0, files: 0, message: `bpbrm (pid ${pid}) ended without a report` })
        .catch((e) => deps.log(`job ${jobid}: closing failed: ${(e as Error).message}`));
    }, WATCH_MS);
    timer.unref();
    watched.set(jobid, timer);
  }

  function forget(jobid: number): void {
    const t = watched.get(jobid);
    if (t) clearInterval(t);
    watched.delete(jobid);
  }

  async function recover(): Promise<void> {
    const { jobs } = await callDaemon(deps.home, bpjobd.list, { activeOnly: true });
    const live = new Set<number>();
    for (const j of jobs) {
      if (j.jobtype === JOB_TYPE.cleanup) continue; // image cleanup jobs are nbpem's (it closes its own orphans)
      if (j.jobtype === JOB_TYPE.import && j.jobpid > 0 && runs(j.jobpid, 'bpimport')) {
        live.add(j.jobid); // a bpimport still running: its images are being catalogued
        continue;
      }
      if (deps.isMine(j.jobid)) {
        live.add(j.jobid);
        continue;
      }
      if (j.jobpid > 0 && isBpbrm(j.jobpid)) {
        deps.log(`job ${j.jobid}: adopted (bpbrm pid ${j.jobpid} still runs)`);
        adopt(j.jobid, j.jobpid);
        live.add(j.jobid);
        continue;
      }
      const queued = j.state === JOB_STATE.queued || j.state === JOB_STATE.requeued;
      // A job waiting for a retry ends with the status of the try it made.
      const lastTry = j.state === JOB_STATE.requeued ? j.tries[j.tries.length - 1]?.status : undefined;
      deps.log(`job ${j.jobid}: was ${queued ? 'queued' : 'active'} when nbjm stopped; closing it`);
      await deps.finishOrphan(j.jobid, {
        status: lastTry ?? (queued ? 195 : 50),
        kbytes: 0,
        files: 0,
        message: lastTry !== undefined ? 'nbjm restarted while the job waited for a retry' : queued ? 'nbjm restarted before the job got its resources' : 'nbjm restarted; the job processes were gone',
      });
    }
    // Half-written images whose job no longer runs are removed with their fragments.
    const [all, complete] = await Promise.all([
      callDaemon(deps.home, bpdbm.listImages, { includeIncomplete: true }),
      callDaemon(deps.home, bpdbm.listImages, {}),
    ]);
    const done = new Set(complete.images.map((i) => i.backupid));
    for (const img of all.images) {
      if (done.has(img.backupid) || live.has(img.jobid) || deps.isMine(img.jobid)) continue;
      deps.log(`image ${img.backupid} of job ${img.jobid} was left half-written; removing it`);
      await deps.abortImage(img.jobid, img.backupid);
    }
  }

  return {
    recover,
    forget,
    stop(): void {
      for (const jobid of [...watched.keys()]) forget(jobid);
    },
  };
}
