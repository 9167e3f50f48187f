// bpdbjobs' reports: the human table, -all_columns / -most_columns CSV (netbackup.md §1.1) and -summary.

import { JOB_STATE, type JobRecord, type TryRecord } from '../../protocol/records.js';
import { statusMessage } from '../../protocol/status.js';

export const JOB_TYPE_WORDS: Record<number, string> = {
  0: 'Backup', 1: 'Archive', 2: 'Restore', 3: 'Verify', 4: 'Duplication', 5: 'Import', 6: 'Catalog Backup', 7: 'Vault',
  8: 'Label', 9: 'Erase', 10: 'Tape Request', 11: 'Clean', 12: 'Format Tape', 13: 'Inventory', 14: 'Qualification',
  15: 'Catalog Recovery', 16: 'Media Contents', 17: 'Image Cleanup', 18: 'LiveUpdate',
};
export const JOB_STATE_WORDS: Record<number, string> = { 0: 'Queued', 1: 'Active', 2: 'Requeued', 3: 'Done', 4: 'Suspended', 5: 'Incomplete' };

const HEADERS = ['JobID', 'Type', 'State', 'Status', 'Policy', 'Schedule', 'Client', 'Dest Media Svr', 'Active PID'];

function elapsed(j: JobRecord | TryRecord, now: number): number {
  if (!j.started) return 0;
  const end = j.ended || now;
  return Math.max(0, end - j.started);
}

/** The default (-report) table: right-aligned columns, one job per line, newest job first as given. */
export function formatJobsReport(jobs: readonly JobRecord[], opts: { header: boolean }): string {
  const rows = jobs.map((j) => [
    String(j.jobid),
    JOB_TYPE_WORDS[j.jobtype] ?? String(j.jobtype),
    JOB_STATE_WORDS[j.state] ?? String(j.state),
    j.state === JOB_STATE.done && j.status !== undefined ? String(j.status) : '',
    j.policy,
    j.schedule,
    j.client,
    j.server,
    j.state === JOB_STATE.active && j.jobpid ? String(j.jobpid) : '',
  ]);
  const all = opts.header ? [HEADERS, ...rows] : rows;
  const widths = HEADERS.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  return all.map((r) => r.map((c, i) => c.padStart(widths[i]!)).join(' ').trimEnd()).join('\n') + (all.length ? '\n' : '');
}

/** A CSV field: commas escaped as `\,` (NetBackup), newlines flattened. */
export function csvField(v: string | number | undefined): string {
  if (v === undefined) return '';
  return String(v).replace(/,/g, '\\,').replace(/[\r\n]+/g, ' ');
}

/** Fields 1..31 of -all_columns / -most_columns. */
function headFields(j: JobRecord, master: string, now: number): Array<string | number> {
  return [
    j.jobid, j.jobtype, j.state, j.status ?? '', j.policy, j.schedule, j.client, j.server, j.started, elapsed(j, now), j.ended,
    j.stunit, j.tries.length, j.operation, j.kbytes, j.files, j.pathLastWritten, j.percent, j.jobpid, j.owner, j.subtype,
    j.policyType, j.schedType, j.priority, j.group, master, 1, j.retentionPeriodDays, j.compression, j.kbytes, j.files,
  ];
}

/** Fields after the try records: 4.x (parentjob .. stream) then 5.x (suspendable .. controllinghost). */
function tailFields(j: JobRecord, now: number): Array<string | number> {
  const secs = elapsed(j, now);
  const active = j.state === JOB_STATE.active || j.state === JOB_STATE.queued || j.state === JOB_STATE.requeued;
  return [
    j.parentJob, secs > 0 ? Math.round(j.kbytes / secs) : 0, '', '', '', '', '', '', '', '', '', '', j.stream ?? 0,
    0, 0, 0, 0, 0, j.backupid, active ? 1 : 0, '',
  ];
}

function tryFields(t: TryRecord, now: number): Array<string | number> {
  return [
    t.pid, t.stunit, t.server, t.started, elapsed(t, now), t.ended, t.status ?? '', t.status !== undefined ? statusMessage(t.status) : '',
    t.statusLines.length, ...t.statusLines, t.kbytes, t.files,
  ];
}

/** -all_columns: every field including the file list and the try records. */
export function formatJobAllColumns(j: JobRecord, master: string, now: number): string {
  const fields = [
    ...headFields(j, master, now),
    j.fileList.length, ...j.fileList,
    j.tries.length, ...j.tries.flatMap((t) => tryFields(t, now)),
    ...tailFields(j, now),
  ];
  return fields.map(csvField).join(',');
}

/** -most_columns: the same without the file list and the try records (their counts stay). */
export function formatJobMostColumns(j: JobRecord, master: string, now: number): string {
  const fields = [...headFields(j, master, now), j.fileList.length, j.tries.length, ...tailFields(j, now)];
  return fields.map(csvField).join(',');
}

export function formatJobsCsv(jobs: readonly JobRecord[], mode: 'all' | 'most', master: string, now: number): string {
  const lines = jobs.map((j) => (mode === 'all' ? formatJobAllColumns(j, master, now) : formatJobMostColumns(j, master, now)));
  return lines.length ? lines.join('\n') + '\n' : '';
}

export interface JobSummary {
  queued: number;
  requeued: number;
  active: number;
  success: number;
  partial: number;
  failed: number;
  incomplete: number;
  suspended: number;
  total: number;
}

export function summarize(jobs: readonly JobRecord[]): JobSummary {
  const s: JobSummary = { queued: 0, requeued: 0, active: 0, success: 0, partial: 0, failed: 0, incomplete: 0, suspended: 0, total: jobs.length };
  for (const j of jobs) {
    if (j.state === JOB_STATE.queued) s.queued++;
    else if (j.state === JOB_STATE.requeued) s.requeued++;
    else if (j.state === JOB_STATE.active) s.active++;
    else if (j.state === JOB_STATE.suspended) s.suspended++;
    else if (j.state === JOB_STATE.incomplete) s.incomplete++;
    else if (j.state === JOB_STATE.done) {
      if (j.status === 0) s.success++;
      else if (j.status === 1) s.partial++;
      else s.failed++;
    }
  }
  return s;
}

/** -summary (human). */
export function formatSummary(s: JobSummary, master: string): string {
  const rows: Array<[string, number]> = [
    ['Queued:', s.queued], ['Waiting-to-Retry:', s.requeued], ['Active:', s.active], ['Successful:', s.success],
    ['Partially Successful:', s.partial], ['Failed:', s.failed], ['Incomplete:', s.incomplete], ['Suspended:', s.suspended], ['Total:', s.total],
  ];
  return [`Summary of jobs on ${master}`, ...rows.map(([k, v]) => `${k.padEnd(22)}${v}`)].join('\n') + '\n';
}

/** -summary -all_columns: master,queued,requeued,active,success,partsucc,failed,incomplete,suspended,waitingretry,total. */
export function formatSummaryCsv(s: JobSummary, master: string): string {
  return [master, s.queued, s.requeued, s.active, s.success, s.partial, s.failed, s.incomplete, s.suspended, s.requeued, s.total].map(csvField).join(',') + '\n';
}
