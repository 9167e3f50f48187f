// bpbrm: the backup and restore manager for one job, started by nbjm.

import { readJobSpec } from '../cli/job-spec-file.js';
import { defineCommand } from '../cli/command.js';
import { connectDaemon, callDaemon } from '../cli/daemon-call.js';
import { openProcessLog } from '../config/daemon-log.js';
import { dropSpares, homeEnv, keepSpare } from '../ipc/spawn.js';
import { bpbrmSpec, type BpbrmSpec } from '../protocol/job-specs.js';
import { nbjm } from '../protocol/nbjm.js';
import { toOpenbpError } from '../protocol/errors.js';
import type { JobEnd, JobPeers } from '../media/bpbrm/job-end.js';
import type { Home } from '../config/home.js';
import type { LogLine } from '../config/daemon-log.js';

type RunJob = (home: Home, spec: BpbrmSpec, peers: JobPeers, log: LogLine) => Promise<JobEnd>;

async function loadJobKind(kind: BpbrmSpec['kind']): Promise<RunJob> {
  if (kind === 'backup') return (await import('../media/bpbrm/backup.js')).runBackup;
  if (kind === 'verify') return (await import('../media/bpbrm/verify.js')).runVerify;
  return (await import('../media/bpbrm/restore.js')).runRestore;
}

export const command = defineCommand({
  name: 'bpbrm',
  summary: 'openbp backup and restore manager: runs one backup, restore or verify job (started by nbjm)',
  options: [{ flag: '--spec', key: 'spec', kind: 'string', arg: 'file', help: 'the job spec (JSON) written by nbjm' }],
  // A spare bpbrm (kept by nbjm) starts the spares of a backup's bptm and bpbkar, and loads the backup code.
  async spare(home) {
    keepSpare('bptm', { env: homeEnv(home), fd3Pipe: true });
    keepSpare('bpbkar', { env: homeEnv(home), fd3Pipe: true });
    await loadJobKind('backup');
  },
  async run(ctx, opts) {
    process.title = 'bpbrm';
    const spec = readJobSpec(opts.spec, bpbrmSpec);
    const log = openProcessLog(ctx.home, 'bpbrm');
    log(`job ${spec.jobid}: ${spec.kind} ${spec.backupid} on ${spec.unit.label}`);
    let end: JobEnd;
    // Only the job's kind is loaded (bpbrm's start-up is on every job's path), while the daemons answer.
    const loading = loadJobKind(spec.kind);
    loading.catch(() => {}); // reported below, once connected
    const [db, jobs] = await Promise.all([connectDaemon(ctx.home, 'bpdbm'), connectDaemon(ctx.home, 'bpjobd')]);
    try {
      const run = await loading;
      end = await run(ctx.home, spec, { bpdbm: db, bpjobd: jobs }, log);
    } catch (e) {
      const err = toOpenbpError(e);
      end = { status: err.status, kbytes: 0, files: 0, message: err.message };
    } finally {
      db.close();
      jobs.close();
      dropSpares(); // those this job did not take
    }
    await callDaemon(ctx.home, nbjm.jobFinished, { jobid: spec.jobid, ...end });
    return { status: end.status };
  },
});
