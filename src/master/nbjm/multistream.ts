// nbjm's multi-stream backups: a parent job and one child job per stream, each child with its own image.

import { bpjobd } from '../../protocol/bpjobd.js';
import { JOB_STATE, JOB_TYPE } from '../../protocol/records.js';
import type { Infer } from '../../protocol/schema.js';
import type { backupJobSpec } from '../../protocol/nbjm.js';
import type { Home } from '../../config/home.js';
import type { LogLine } from '../../config/daemon-log.js';
import { nowSeconds } from '../../config/clock.js';
import { callDaemon } from '../../cli/daemon-call.js';
import { newJobRecord } from './job-record.js';
import type { Finished } from './jobs.js';

type BackupJob = Infer<typeof backupJobSpec>;

/** What a multi-stream backup borrows from nbjm's job machinery. */
export interface MultistreamDeps {
  home: Home;
  log: LogLine;
  accepted: Set<number>;
  /** Runs one child job to its end (stream 1..) and closes it. */
  runBackup(jobid: number, job: BackupJob, stream: number): Promise<Finished>;
  closeJob(jobid: number, f: Finished, notify?: { policy: string; schedule: string; client: string }): Promise<void>;
}

/**
 * How the parent ends: the first child status other than 0 and 1 (a stream failed), else 1 when a stream
 * was partly successful, else 0; bytes and files are the streams' sums.
 */
export function parentResult(children: readonly Finished[]): Finished {
  const failed = children.find((c) => c.status > 1);
  const status = failed ? failed.status : children.some((c) => c.status === 1) ? 1 : 0;
  return {
    status,
    kbytes: children.reduce((n, c) => n + c.kbytes, 0),
    files: children.reduce((n, c) => n + c.files, 0),
    ...(failed ? { message: `stream ${children.indexOf(failed) + 1} ended with status ${failed.status}` } : {}),
  };
}

export function createMultistream(deps: MultistreamDeps) {
  const { home, log } = deps;

  /**
   * Creates the parent job (active at once: it holds no resources, bpdbjobs shows it as the streams'
   * parent) and a queued child job per stream, then runs the children concurrently; nbrb's limits decide
   * how many run at a time. The parent ends when the last child does and is what nbpem hears about.
   */
  async function submit(job: BackupJob, streams: string[][]): Promise<{ jobid: number }> {
    const base = {
      jobtype: JOB_TYPE.backup, policy: job.policy, schedule: job.schedule, schedType: job.schedType, client: job.client,
      requester: job.requester, priority: job.priority, retentionLevel: job.retentionLevel, subtype: job.subtype, policyType: job.policyType,
    };
    const now = nowSeconds();
    const { jobid: parent } = await callDaemon(home, bpjobd.create, {
      ...newJobRecord({ ...base, fileList: job.paths }),
      state: JOB_STATE.active, stateDetail: '', started: now,
      tries: [{ pid: 0, stunit: '', server: '', started: now, ended: 0, statusLines: [], kbytes: 0, files: 0 }],
    });
    deps.accepted.add(parent);
    const children: number[] = [];
    for (const [i, paths] of streams.entries()) {
      const rec = newJobRecord({ ...base, fileList: paths });
      const { jobid } = await callDaemon(home, bpjobd.create, { ...rec, parentJob: parent, stream: i + 1 });
      deps.accepted.add(jobid);
      children.push(jobid);
    }
    await callDaemon(home, bpjobd.update, {
      jobid: parent, patch: {}, tryLines: [`multiple data streams: ${streams.length} stream${streams.length === 1 ? '' : 's'}, jobs ${children.join(', ')}`],
    }).catch(() => {});
    log(`job ${parent}: backup of ${job.client} policy ${job.policy} schedule ${job.schedule} in ${streams.length} streams (jobs ${children.join(',')})`);
    const runs = children.map((jobid, i) =>
      deps.runBackup(jobid, { ...job, paths: streams[i]! }, i + 1).catch((e): Finished => {
        log(`job ${jobid}: ${(e as Error).stack}`);
        return { status: 50, kbytes: 0, files: 0, message: (e as Error).message };
      }),
    );
    void Promise.all(runs).then((results) =>
      deps.closeJob(parent, parentResult(results), { policy: job.policy, schedule: job.schedule, client: job.client }),
    ).catch((e) => log(`job ${parent}: ${(e as Error).stack}`));
    return { jobid: parent };
  }

  return { submit };
}
