// A fresh bpjobd record for a job nbjm accepts.

import os from 'node:os';
import { JOB_STATE, JOB_TYPE, SCHED_TYPES, type JobRecord, type Requester, type SchedType } from '../../protocol/records.js';
import { nowSeconds } from '../../config/clock.js';

export interface NewJob {
  jobtype: number;
  policy: string;
  schedule: string;
  schedType?: SchedType;
  client: string;
  requester: Requester;
  priority: number;
  retentionLevel: number;
  subtype: number;
  fileList: string[];
  policyType: number;
}

export function newJobRecord(j: NewJob): JobRecord {
  return {
    jobid: 0,
    jobtype: j.jobtype,
    state: JOB_STATE.queued,
    policy: j.policy,
    schedule: j.schedule,
    client: j.client,
    server: os.hostname().split('.')[0]!,
    started: nowSeconds(),
    ended: 0,
    stunit: '',
    operation: 0,
    kbytes: 0,
    files: 0,
    pathLastWritten: '',
    percent: 0,
    jobpid: 0,
    owner: j.requester.user,
    group: String(j.requester.gid),
    subtype: j.subtype,
    policyType: j.policyType,
    schedType: j.jobtype === JOB_TYPE.restore ? 0 : SCHED_TYPES[j.schedType ?? 'UBAK'].code,
    priority: j.priority,
    retentionLevel: j.retentionLevel,
    retentionPeriodDays: 0,
    compression: 0,
    fileList: j.fileList,
    tries: [],
    backupid: '',
    parentJob: 0,
    stateDetail: 'awaiting resources',
  };
}
