// bprd's behaviour: validates user backup and restore requests and hands them on.

import { route } from '../../ipc/rpc-server.js';
import { bprd } from '../../protocol/bprd.js';
import { bpdbm } from '../../protocol/bpdbm.js';
import { nbpem } from '../../protocol/nbpem.js';
import { nbjm } from '../../protocol/nbjm.js';
import { OpenbpError } from '../../protocol/errors.js';
import type { PolicyRecord, ScheduleRecord } from '../../protocol/records.js';
import type { Home } from '../../config/home.js';
import { clientName, readBpConf } from '../../config/bp-conf.js';
import type { LogLine } from '../../config/daemon-log.js';
import type { DaemonService } from '../../cli/serve-daemon.js';
import { callDaemon } from '../../cli/daemon-call.js';
import { backupJobFor } from '../../protocol/backup-job.js';
import { selectionPaths } from '../../protocol/backup-streams.js';

export const DEFAULT_POLICY = 'openbp-default';

function checkPaths(paths: readonly string[]): void {
  if (paths.length === 0) throw new OpenbpError('NO_FILES_SPECIFIED');
  for (const p of paths) {
    if (!p.startsWith('/')) throw new OpenbpError('INVALID_FILELIST', `path is not absolute: ${Buffer.from(p, 'latin1').toString('utf8')}`);
    if (p.split('/').includes('..')) throw new OpenbpError('INVALID_FILELIST', `path contains '..': ${Buffer.from(p, 'latin1').toString('utf8')}`);
  }
}

function userSchedule(policy: PolicyRecord, name: string | undefined): ScheduleRecord {
  if (name !== undefined) {
    const s = policy.schedules.find((x) => x.name === name);
    if (!s) throw new OpenbpError('NO_SUCH_SCHEDULE', `schedule ${name} does not exist in policy ${policy.name}`);
    if (s.type !== 'UBAK' && s.type !== 'UARC') throw new OpenbpError('NO_SCHEDULE_OF_TYPE', `schedule ${name} of policy ${policy.name} is not a user backup schedule`);
    return s;
  }
  const s = policy.schedules.find((x) => x.type === 'UBAK');
  if (!s) throw new OpenbpError('NO_SCHEDULE_OF_TYPE', `policy ${policy.name} has no user backup schedule`);
  return s;
}

export function createBprd(home: Home, log: LogLine): DaemonService {
  return {
    routes: [
      route(bprd.backup, async (req) => {
        const client = req.client ?? clientName(readBpConf(home));
        checkPaths(req.paths);
        const policy = await callDaemon(home, bpdbm.getPolicy, { name: req.policy ?? DEFAULT_POLICY });
        if (!policy.active) throw new OpenbpError('POLICY_NOT_ACTIVE', `policy ${policy.name} is not active`);
        if (!policy.clients.some(([c]) => c === client)) throw new OpenbpError('CLIENT_NOT_IN_POLICY', `client ${client} is not in policy ${policy.name}`);
        const sched = userSchedule(policy, req.schedule);
        const r = await callDaemon(home, nbpem.submitBackup, { ...backupJobFor(policy, sched, client, req.paths, req.requester, 2), keyword: req.keyword ?? '' });
        log(`user backup by ${req.requester.user} of ${client}: job ${r.jobid}`);
        return r;
      }),
      route(bprd.manualBackup, async (req) => {
        const policy = await callDaemon(home, bpdbm.getPolicy, { name: req.policy });
        if (!policy.active) throw new OpenbpError('POLICY_NOT_ACTIVE', `policy ${policy.name} is not active`);
        const sched = req.schedule === undefined ? policy.schedules.find((x) => x.type === 'FULL') ?? policy.schedules[0] : policy.schedules.find((x) => x.name === req.schedule);
        if (!sched) throw new OpenbpError('NO_SUCH_SCHEDULE', `schedule ${req.schedule ?? '(any)'} does not exist in policy ${policy.name}`);
        const clients = policy.clients.map(([c]) => c).filter((c) => req.client === undefined || c === req.client);
        if (clients.length === 0) throw new OpenbpError('CLIENT_NOT_IN_POLICY', `client ${req.client ?? '(any)'} is not in policy ${policy.name}`);
        checkPaths(selectionPaths(policy.include));
        const jobids: number[] = [];
        for (const client of clients) {
          const r = await callDaemon(home, nbpem.submitBackup, backupJobFor(policy, sched, client, policy.include, req.requester, 0));
          jobids.push(r.jobid);
        }
        log(`immediate backup by ${req.requester.user} of policy ${policy.name} schedule ${sched.name}: jobs ${jobids.join(',')}`);
        return { jobids };
      }),
      route(bprd.restore, async (req) => {
        const local = clientName(readBpConf(home));
        const client = req.client ?? local;
        const destClient = req.destClient ?? client;
        checkPaths(req.paths);
        // nbtar runs on this host; other destination hosts need the SSH transport, which is not there yet.
        if (destClient !== local) {
          throw new OpenbpError('CANNOT_CONNECT_TO_CLIENT', `cannot reach client ${destClient}: only this host (${local}) can be a restore destination`, { hint: 'use -D ' + local });
        }
        if (req.requester.uid !== 0 && (destClient !== client || req.renames.length > 0)) {
          throw new OpenbpError('NOT_VALIDATED_FOR_OPERATION', 'only root may redirect a restore (-D, -R)');
        }
        const { plans, missing, ordered } = await callDaemon(home, bpdbm.resolveRestore, {
          client, paths: req.paths, ...(req.since !== undefined ? { since: req.since } : {}), ...(req.until !== undefined ? { until: req.until } : {}),
        });
        if (plans.length === 0) throw new OpenbpError('NO_ENTITY', `no backup of ${client} holds the requested files`);
        const { jobids } = await callDaemon(home, nbjm.submitRestore, {
          jobs: plans.map((p) => ({
            client, destClient, backupid: p.image.backupid, paths: p.paths, renames: req.renames, keepExisting: req.keepExisting,
            requester: req.requester, priority: 90000,
            ...(p.rangeStart !== undefined ? { rangeStart: p.rangeStart } : {}),
            ...(p.rangeEnd !== undefined ? { rangeEnd: p.rangeEnd } : {}),
          })),
          ...(ordered ? { sequential: true } : {}),
        });
        log(`restore by ${req.requester.user} for ${destClient}: jobs ${jobids.join(',')}`);
        return { jobids, missing };
      }),
    ],
    close: async () => {},
  };
}
