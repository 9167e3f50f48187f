// bpbackup: back up files now as a user backup (through bprd), optionally waiting for the result.

import { defineCommand } from '../cli/command.js';
import { callDaemon } from '../cli/daemon-call.js';
import { currentRequester } from '../cli/requester.js';
import { readSelections } from '../cli/selection-input.js';
import { WAIT_TIME, waitSeconds } from '../cli/wait-time.js';
import { waitForJobs, jobWarnings, failureDetail, describeJobs } from '../cli/wait-jobs.js';
import { exitStatusLine, jobResult } from '../cli/job-result.js';
import { ProgressLog } from '../cli/progress-log.js';
import { bprd } from '../protocol/bprd.js';
import { OpenbpError } from '../protocol/errors.js';
import { bytePathToText } from '../protocol/byte-path.js';

export const command = defineCommand({
  name: 'bpbackup',
  summary: 'back up files as a user backup, or run a policy now (-i)',
  args: '[paths...]',
  options: [
    { flag: '-w', key: 'wait', kind: 'flag', optionalValue: WAIT_TIME, arg: 'hh:mm:ss', help: 'wait for the backup to end (at most hh:mm:ss) and print its status' },
    { flag: '-p', key: 'policy', kind: 'string', arg: 'policy', help: 'policy to use (default: openbp-default)' },
    { flag: '-s', key: 'schedule', kind: 'string', arg: 'schedule', help: 'user backup schedule of the policy' },
    { flag: '-k', key: 'keyword', kind: 'string', arg: 'keyword', help: 'keyword phrase stored with the image' },
    { flag: '-L', key: 'log', kind: 'string', arg: 'progress_log', help: 'append progress to this file' },
    { flag: '-f', key: 'listfile', kind: 'string', arg: 'listfile', help: 'file with one path per line to back up' },
    { flag: '-S', key: 'master', kind: 'string', arg: 'master', help: 'master server (this host only)' },
    { flag: '-t', key: 'policyType', kind: 'int', arg: 'policy_type', help: 'policy type (0 = Standard)' },
    { flag: '-i', key: 'immediate', kind: 'flag', help: 'immediate manual backup of policy -p with schedule -s (its file list, its clients; root only)' },
    { flag: '-h', key: 'client', kind: 'string', arg: 'client', help: 'with -i: only this client of the policy' },
  ],
  epilog:
    'A user other than root backs up, through bprd, only files they can read (bpbkar reads with their rights).\n' +
    'Exit status: the NetBackup status of the request, or with -w of the backup (0 ok, 1 partial, 71 no files existed, 129 disk full, ...).',
  async run(ctx, opts, args) {
    if (opts.immediate) return runImmediate(ctx, opts);
    const paths = readSelections(args, opts.listfile as string | undefined);
    if (paths.length === 0) throw new OpenbpError('NO_FILES_SPECIFIED', 'no files specified (give paths or -f listfile)', { hint: 'bpbackup -w /path' });
    const wait = waitSeconds(opts.wait as string | boolean | undefined);
    const plog = new ProgressLog(opts.log as string | undefined);
    const { jobid } = await callDaemon(ctx.home, bprd.backup, {
      paths,
      requester: currentRequester(),
      ...(opts.policy ? { policy: String(opts.policy) } : {}),
      ...(opts.schedule ? { schedule: String(opts.schedule) } : {}),
      ...(opts.keyword ? { keyword: String(opts.keyword) } : {}),
    });
    plog.line(`Backup job ${jobid} queued: ${paths.map(bytePathToText).join(' ')}`);
    if (wait === undefined) return { status: 0, json: { jobid } };
    const spinner = await ctx.spinner();
    let job;
    try {
      [job] = await waitForJobs(ctx.home, [jobid], wait, (jobs) => spinner.update(describeJobs(jobs)));
    } finally {
      spinner.stop(job ? describeJobs([job]) : undefined);
    }
    const status = job!.status ?? 0;
    for (const w of jobWarnings(job!)) plog.line(`WRN - ${w}`);
    plog.line(exitStatusLine(status));
    const warnings = status === 1 ? jobWarnings(job!).map((w) => `bpbackup: WRN - ${w}`) : [];
    return jobResult(ctx, status, warnings, status > 1 ? failureDetail(job!) : undefined, { jobid });
  },
});

type Ctx = Parameters<typeof command.run>[0];
type Opts = Parameters<typeof command.run>[1];

/** bpbackup -i: the policy's schedule now, for its clients (or -h client); -w waits for every job. */
async function runImmediate(ctx: Ctx, opts: Opts) {
  if (!opts.policy) throw new OpenbpError('INVALID_USAGE', '-i needs a policy (-p policy)', { hint: 'bpbackup -i -p POLICY -s SCHEDULE -w' });
  const wait = waitSeconds(opts.wait as string | boolean | undefined);
  const plog = new ProgressLog(opts.log as string | undefined);
  const { jobids } = await callDaemon(ctx.home, bprd.manualBackup, {
    policy: String(opts.policy),
    requester: currentRequester(),
    ...(opts.schedule ? { schedule: String(opts.schedule) } : {}),
    ...(opts.client ? { client: String(opts.client) } : {}),
  });
  plog.line(`Backup job(s) ${jobids.join(', ')} queued for policy ${String(opts.policy)}`);
  if (wait === undefined) return { status: 0, json: { jobids } };
  const spinner = await ctx.spinner();
  let jobs;
  try {
    jobs = await waitForJobs(ctx.home, jobids, wait, (js) => spinner.update(describeJobs(js)));
  } finally {
    spinner.stop(jobs ? describeJobs(jobs) : undefined);
  }
  const worst = jobs.reduce((m, j) => Math.max(m, j.status ?? 0), 0);
  const failed = jobs.find((j) => (j.status ?? 0) === worst);
  plog.line(exitStatusLine(worst));
  const warnings = worst === 1 ? jobs.flatMap((j) => jobWarnings(j)).map((w) => `bpbackup: WRN - ${w}`) : [];
  return jobResult(ctx, worst, warnings, worst > 1 && failed ? failureDetail(failed) : undefined, { jobids });
}
