// The backup job a policy's schedule makes for one client: what nbpem submits on schedule and bprd on request.

import type { Infer } from './schema.js';
import type { backupJobSpec } from './nbjm.js';
import type { PolicyRecord, Requester, ScheduleRecord } from './records.js';

export type BackupJobSpec = Infer<typeof backupJobSpec>;

/** subtype: 0 immediate (bpbackup -i), 1 scheduled, 2 user-initiated. */
export function backupJobFor(policy: PolicyRecord, schedule: ScheduleRecord, client: string, paths: string[], requester: Requester, subtype: 0 | 1 | 2): BackupJobSpec {
  return {
    client, policy: policy.name, policyType: policy.policyType, schedule: schedule.name, schedType: schedule.type,
    retentionLevel: schedule.retentionLevel, priority: policy.priority, residence: policy.residence, keyword: policy.keyword,
    paths, requester, subtype, maxPolicyJobs: policy.maxJobs, pool: policy.pool,
    ...(policy.compress ? { compress: true } : {}),
    ...(policy.encrypt ? { encrypt: true } : {}),
    ...(policy.multipleStreams && subtype !== 2 ? { multipleStreams: true } : {}),
  };
}
