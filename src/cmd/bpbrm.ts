// bpbrm: the backup and restore manager for one job, started by nbjm.

import { readJobSpec } from '../cli/job-spec-file.js';
import { defineCommand } from '../cli/command.js';
import { connectDaemon, callDaemon } from '../cli/daemon-call.js';
import { openProcessLog } from '../config/daemon-log.js';
import { bpbrmSpec } from '../protocol/job-specs.js';
import { nbjm } from '../protocol/nbjm.js';
import { toOpenbpError } from '../protocol/errors.js';
import { runBackup } from '../media/bpbrm/backup.js';
import { runRestore } from '../media/bpbrm/restore.js';
import { runVerify } from '../media/bpbrm/verify.js';
import type { JobEnd } from '../media/bpbrm/job-end.js';

export const command = defineCommand({
  name: 'bpbrm',
  summary: 'openbp backup and restore manager: runs one backup, restore or verify job (started by nbjm)',
  options: [{ flag: '--spec', key: 'spec', kind: 'string', arg: 'file', help: 'the job spec (JSON) written by nbjm' }],
  async run(ctx, opts) {
    process.title = 'bpbrm';
    const spec = readJobSpec(opts.spec, bpbrmSpec);
    const log = openProcessLog(ctx.home, 'bpbrm');
    log(`job ${spec.jobid}: ${spec.kind} ${spec.backupid} on ${spec.unit.label}`);
    let end: JobEnd;
    const [db, jobs] = await Promise.all([connectDaemon(ctx.home, 'bpdbm'), connectDaemon(ctx.home, 'bpjobd')]);
    try {
      const run = spec.kind === 'backup' ? runBackup : spec.kind === 'verify' ? runVerify : runRestore;
      end = await run(ctx.home, spec, { bpdbm: db, bpjobd: jobs }, log);
    } catch (e) {
      const err = toOpenbpError(e);
      end = { status: err.status, kbytes: 0, files: 0, message: err.message };
    } finally {
      db.close();
      jobs.close();
    }
    await callDaemon(ctx.home, nbjm.jobFinished, { jobid: spec.jobid, ...end });
    return { status: end.status };
  },
});
