// bperror: what a NetBackup status number means (-S, -r), and the error log of recent jobs
// (-problems, -all, -backstat, -jobid) drawn from the jobs database.

import { defineCommand } from '../cli/command.js';
import { callDaemon } from '../cli/daemon-call.js';
import { formatStatusMessage } from '../cli/reports/bperror.js';
import { errorLogLinesOf, formatErrorLogRaw, formatErrorLogUser, type ErrorLogReport } from '../cli/reports/bperror-log.js';
import { bpjobd } from '../protocol/bpjobd.js';
import { OpenbpError } from '../protocol/errors.js';
import { statusEntry } from '../protocol/status.js';

export const command = defineCommand({
  name: 'bperror',
  summary: 'explain a NetBackup status code, or list the problems of recent jobs',
  options: [
    { flag: '-S', key: 'status', kind: 'int', arg: 'status_code', help: 'print the message for this status' },
    { flag: '-statuscode', key: 'statuscode', kind: 'int', arg: 'status_code', help: 'same as -S' },
    { flag: '-r', key: 'recommend', kind: 'flag', help: 'also print the recommended action' },
    { flag: '-problems', key: 'problems', kind: 'flag', help: 'warnings and errors of recent jobs' },
    { flag: '-all', key: 'all', kind: 'flag', help: 'every log line of recent jobs' },
    { flag: '-backstat', key: 'backstat', kind: 'flag', help: 'the end status of recent jobs' },
    { flag: '-jobid', key: 'jobid', kind: 'int', arg: 'job_id', help: 'the problems of this job only' },
    { flag: '-hoursago', key: 'hoursago', kind: 'int', arg: 'hours', help: 'jobs of the last N hours (default 24)' },
    { flag: '-U', key: 'user', kind: 'flag', help: 'user layout (time, server, client, text)' },
    { flag: '-l', key: 'raw', kind: 'flag', help: 'raw layout (the default)' },
  ],
  epilog: 'Exit status: 0; 227 when openbp has no entry for the status (stdout then says "unknown status N") or -jobid names no job; 20 for bad usage.',
  async run(ctx, opts) {
    const reports = (['problems', 'all', 'backstat'] as const).filter((r) => opts[r] === true);
    if (reports.length > 1) throw new OpenbpError('INVALID_PARAMETER', '-problems, -all and -backstat are exclusive');
    if (reports.length > 0 || opts.jobid !== undefined) {
      if (opts.status !== undefined || opts.statuscode !== undefined) throw new OpenbpError('INVALID_PARAMETER', '-S does not go with the error-log reports');
      const report: ErrorLogReport = reports[0] ?? 'problems';
      const jobid = opts.jobid !== undefined ? Number(opts.jobid) : undefined;
      const since = jobid === undefined ? Math.floor(Date.now() / 1000) - Number(opts.hoursago ?? 24) * 3600 : 0;
      const { jobs } = await callDaemon(ctx.home, bpjobd.list, jobid !== undefined ? { jobids: [jobid] } : {});
      if (jobid !== undefined && jobs.length === 0) throw new OpenbpError('NO_ENTITY', `job ${jobid} does not exist`);
      const lines = [...jobs].sort((a, b) => a.jobid - b.jobid).flatMap((j) => errorLogLinesOf(j, report)).filter((l) => l.time >= since);
      return { status: 0, stdout: opts.user ? formatErrorLogUser(lines) : formatErrorLogRaw(lines), json: { lines } };
    }
    const code = opts.status ?? opts.statuscode;
    if (code === undefined) throw new OpenbpError('INVALID_PARAMETER', 'give -S status_code, or one of -problems, -all, -backstat, -jobid');
    if (opts.status !== undefined && opts.statuscode !== undefined && opts.status !== opts.statuscode) {
      throw new OpenbpError('INVALID_PARAMETER', '-S and -statuscode disagree');
    }
    const n = Number(code);
    const entry = statusEntry(n);
    if (!entry) return { status: 227, stdout: `unknown status ${n}\n`, json: { status: n, known: false } };
    return { status: 0, stdout: formatStatusMessage(entry, opts.recommend === true), json: entry };
  },
});
