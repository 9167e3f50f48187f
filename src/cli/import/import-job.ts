// The bpdbjobs record of a bpimport phase 2 run (job type 5, import): one job for the images of one invocation.

import { nowSeconds } from '../../config/clock.js';
import os from 'node:os';
import type { Home } from '../../config/home.js';
import { bpjobd } from '../../protocol/bpjobd.js';
import { JOB_STATE, JOB_TYPE, type ImportCandidate, type JobRecord } from '../../protocol/records.js';
import { statusMessage } from '../../protocol/status.js';
import { callDaemon } from '../daemon-call.js';

function importJobRecord(cands: readonly ImportCandidate[], now: number): JobRecord {
  const host = os.hostname().split('.')[0]!;
  const first = cands[0];
  const media = [...new Set(cands.flatMap((c) => c.fragments.map((f) => f.mediaId)))];
  return {
    jobid: 0, jobtype: JOB_TYPE.import, state: JOB_STATE.active, policy: first?.policy ?? '', schedule: first?.schedLabel ?? '',
    client: first?.client ?? host, server: host, started: now, ended: 0, stunit: '', operation: 0, kbytes: 0, files: 0, pathLastWritten: '',
    percent: 0, jobpid: process.pid, owner: os.userInfo().username, group: String(os.userInfo().gid), subtype: 0, policyType: first?.policyType ?? 0,
    schedType: 0, priority: 0, retentionLevel: first?.retentionLevel ?? 0, retentionPeriodDays: 0, compression: 0, fileList: media,
    tries: [{ pid: process.pid, stunit: '', server: host, started: now, ended: 0, statusLines: [], kbytes: 0, files: 0 }],
    backupid: cands.length === 1 ? first!.backupid : '', parentJob: 0, stateDetail: '',
  };
}

/** An import job in bpdbjobs; its id goes into the imported images' headers (nbjm leaves a live bpimport's images alone). */
export async function startImportJob(home: Home, cands: readonly ImportCandidate[]): Promise<number> {
  const { jobid } = await callDaemon(home, bpjobd.create, importJobRecord(cands, nowSeconds()));
  return jobid;
}

export async function importJobLines(home: Home, jobid: number, lines: string[]): Promise<void> {
  await callDaemon(home, bpjobd.update, { jobid, patch: {}, tryLines: lines }).catch(() => {});
}

export async function finishImportJob(home: Home, jobid: number, status: number, kbytes: number, files: number): Promise<void> {
  const ended = nowSeconds();
  await callDaemon(home, bpjobd.update, {
    jobid,
    patch: { state: JOB_STATE.done, status, ended, kbytes, files, percent: status <= 1 ? 100 : 0, stateDetail: '' },
    tryLines: [`end job, status ${status} (${statusMessage(status)})`],
    tryPatch: { status, ended, kbytes, files },
  });
}
