// bprestore: restore files from backups (through bprd), optionally waiting for the result.

import { defineCommand } from '../cli/command.js';
import { callDaemon } from '../cli/daemon-call.js';
import { currentRequester } from '../cli/requester.js';
import { readSelections } from '../cli/selection-input.js';
import { readRenameFile } from '../cli/rename-file.js';
import { WAIT_TIME, waitSeconds } from '../cli/wait-time.js';
import { waitForJobs, worstStatus, jobWarnings, failureDetail, describeJobs } from '../cli/wait-jobs.js';
import { exitStatusLine, jobResult } from '../cli/job-result.js';
import { ProgressLog } from '../cli/progress-log.js';
import { parseNbDate, parseNbEndDate } from '../cli/dates.js';
import { bprd } from '../protocol/bprd.js';
import { OpenbpError } from '../protocol/errors.js';
import { bytePathToText } from '../protocol/byte-path.js';

export const command = defineCommand({
  name: 'bprestore',
  summary: 'restore files from backups',
  args: '[paths...]',
  options: [
    { flag: '-w', key: 'wait', kind: 'flag', optionalValue: WAIT_TIME, arg: 'hh:mm:ss', help: 'wait for the restore to end (at most hh:mm:ss) and print its status' },
    { flag: '-C', key: 'client', kind: 'string', arg: 'client', help: 'client whose backups to restore from (default: this host)' },
    { flag: '-D', key: 'dest', kind: 'string', arg: 'dest_client', help: 'client to restore to (root only)' },
    { flag: '-s', key: 'start', kind: 'date', arg: 'mm/dd/yyyy [hh:mm:ss]', help: 'consider backups from this date' },
    { flag: '-e', key: 'end', kind: 'date', arg: 'mm/dd/yyyy [hh:mm:ss]', help: 'consider backups up to this date (default: now)' },
    { flag: '-R', key: 'rename', kind: 'string', arg: 'rename_file', help: 'rename file: lines "change /from to /to" (a user: into directories they can write)' },
    { flag: '-L', key: 'log', kind: 'string', arg: 'progress_log', help: 'append progress to this file' },
    { flag: '-f', key: 'listfile', kind: 'string', arg: 'listfile', help: 'file with one path per line to restore' },
    { flag: '-K', key: 'keep', kind: 'flag', help: 'keep existing files (do not overwrite)' },
    { flag: '-S', key: 'master', kind: 'string', arg: 'master', help: 'master server (this host only)' },
    { flag: '-t', key: 'policyType', kind: 'int', arg: 'policy_type', help: 'policy type (0 = Standard)' },
  ],
  epilog:
    'A user other than root restores only files they owned when they were backed up, as their own files, to this client;\n' +
    '-C and -D naming another client are root\'s (135).\n' +
    'Exit status: the NetBackup status of the request, or with -w of the restore (0 ok, 1 partial, 135 not allowed, 227 nothing found, ...).',
  async run(ctx, opts, args) {
    const paths = readSelections(args, opts.listfile as string | undefined);
    if (paths.length === 0) throw new OpenbpError('NO_FILES_SPECIFIED', 'no files specified (give paths or -f listfile)');
    const wait = waitSeconds(opts.wait as string | boolean | undefined);
    const since = opts.start !== undefined ? parseNbDate(String(opts.start), '-s') : undefined;
    const until = opts.end !== undefined ? parseNbEndDate(String(opts.end), '-e') : undefined;
    if (since !== undefined && until !== undefined && since > until) throw new OpenbpError('INVALID_PARAMETER', '-s date is after -e date');
    const renames = opts.rename !== undefined ? readRenameFile(String(opts.rename)) : [];
    const plog = new ProgressLog(opts.log as string | undefined);
    const { jobids, missing, denied = [] } = await callDaemon(ctx.home, bprd.restore, {
      paths, renames, keepExisting: opts.keep === true, requester: currentRequester(),
      ...(opts.client ? { client: String(opts.client) } : {}),
      ...(opts.dest ? { destClient: String(opts.dest) } : {}),
      ...(since !== undefined ? { since } : {}),
      ...(until !== undefined ? { until } : {}),
    });
    const notFound = [
      ...missing.map((p) => `bprestore: ${bytePathToText(p)}: not found in any backup`),
      ...denied.map((p) => `bprestore: ${bytePathToText(p)}: not yours when it was backed up; only root may restore it`),
    ];
    plog.line(`Restore job(s) ${jobids.join(',')} queued`);
    for (const n of notFound) plog.line(n);
    if (wait === undefined) return { status: 0, json: { jobids, missing, denied }, ...(notFound.length ? { stderr: notFound.join('\n') } : {}) };
    const spinner = await ctx.spinner();
    let jobs;
    try {
      jobs = await waitForJobs(ctx.home, jobids, wait, (js) => spinner.update(describeJobs(js)));
    } finally {
      spinner.stop(jobs ? describeJobs(jobs) : undefined);
    }
    let status = worstStatus(jobs.map((j) => j.status ?? 0));
    if (status === 0 && notFound.length > 0) status = 1;
    const warnings = jobs.flatMap((j) => jobWarnings(j)).map((w) => `bprestore: WRN - ${w}`);
    for (const w of warnings) plog.line(w);
    plog.line(exitStatusLine(status));
    const detail = status > 1 ? jobs.map((j) => failureDetail(j)).find((d) => d) : undefined;
    return jobResult(ctx, status, [...notFound, ...warnings], detail, { jobids, missing, denied });
  },
});
