// bpdbjobs: the Activity Monitor's jobs from bpjobd, as NetBackup's report, CSV columns or summary.

import { defineCommand } from '../cli/command.js';
import { callDaemon } from '../cli/daemon-call.js';
import { formatJobsCsv, formatJobsReport, formatSummary, formatSummaryCsv, summarize } from '../cli/reports/bpdbjobs.js';
import { masterServer, readBpConf } from '../config/bp-conf.js';
import { bpjobd } from '../protocol/bpjobd.js';
import { OpenbpError } from '../protocol/errors.js';
import { statusMessage } from '../protocol/status.js';
import { nowSeconds } from '../config/clock.js';

function parseJobIds(v: string): number[] {
  const ids = v.split(',').map((s) => s.trim()).filter((s) => s !== '');
  if (ids.length === 0 || ids.some((s) => !/^\d+$/.test(s))) throw new OpenbpError('INVALID_PARAMETER', `-jobid: '${v}' is not a list of job ids (N[,M...])`);
  return ids.map(Number);
}

export const command = defineCommand({
  name: 'bpdbjobs',
  summary: 'report jobs (the Activity Monitor)',
  options: [
    { flag: '-report', key: 'report', kind: 'flag', help: 'the human report (the default)' },
    { flag: '-all_columns', key: 'allColumns', kind: 'flag', help: 'one CSV line per job with every field, file list and tries' },
    { flag: '-most_columns', key: 'mostColumns', kind: 'flag', help: 'one CSV line per job without the file list and tries' },
    { flag: '-summary', key: 'summary', kind: 'flag', help: 'counts of jobs by state' },
    { flag: '-U', key: 'userSummary', kind: 'flag', help: 'with -summary: the human summary (the default)' },
    { flag: '-L', key: 'longSummary', kind: 'flag', help: 'with -summary: the human summary' },
    { flag: '-jobid', key: 'jobid', kind: 'string', arg: 'job1,job2,...', help: 'only these jobs' },
    { flag: '-noheader', key: 'noheader', kind: 'flag', help: 'no header line in the report' },
    { flag: '-ignore_parent_jobs', key: 'ignoreParents', kind: 'flag', help: 'leave out parent jobs' },
    { flag: '-M', key: 'master', kind: 'string', arg: 'master', help: 'master server (this host only)' },
  ],
  epilog: 'Exit status: 0; 227 when -jobid names only jobs that do not exist (nothing is printed).',
  async run(ctx, opts) {
    if (opts.allColumns && opts.mostColumns) throw new OpenbpError('INVALID_PARAMETER', '-all_columns and -most_columns are exclusive');
    const jobids = opts.jobid !== undefined ? parseJobIds(String(opts.jobid)) : undefined;
    const { jobs: listed } = await callDaemon(ctx.home, bpjobd.list, jobids ? { jobids } : {});
    const parents = new Set(listed.map((j) => j.parentJob).filter((p) => p > 0));
    const jobs = [...listed].filter((j) => !(opts.ignoreParents && parents.has(j.jobid))).sort((a, b) => b.jobid - a.jobid);
    const master = masterServer(readBpConf(ctx.home));
    const now = nowSeconds();
    if (opts.summary) {
      const s = summarize(jobs);
      return { status: 0, stdout: opts.allColumns ? formatSummaryCsv(s, master) : formatSummary(s, master), json: { master, ...s } };
    }
    if (jobids && jobs.length === 0) return { status: 227, stderr: `EXIT STATUS 227: ${statusMessage(227)}`, json: { jobs: [] } };
    const stdout = opts.allColumns
      ? formatJobsCsv(jobs, 'all', master, now)
      : opts.mostColumns
        ? formatJobsCsv(jobs, 'most', master, now)
        : formatJobsReport(jobs, { header: opts.noheader !== true });
    return { status: 0, stdout, json: { jobs } };
  },
});
