// bperror's error-log reports (-problems, -all, -backstat, -jobid) drawn from the jobs database: each
// job's WRN/ERR try status lines and its end status, in NetBackup's raw (-l) or user (-U) layout.

import type { JobRecord } from '../../protocol/records.js';
import { statusMessage } from '../../protocol/status.js';

export type ErrorLogReport = 'problems' | 'all' | 'backstat';

export interface ErrorLogLine {
  time: number;
  /** NetBackup's log types: 2 general, 4 backup status. */
  type: number;
  /** 2 info, 4 warning, 8 error. */
  severity: number;
  server: string;
  jobid: number;
  client: string;
  who: string;
  text: string;
}

const STAMP = /^(\d\d)\/(\d\d)\/(\d{4}) (\d\d):(\d\d):(\d\d) - (.*)$/s;

/** A try status line "MM/DD/YYYY HH:MM:SS - text" as its time (local, as bpjobd stamped it) and text. */
function splitStamp(line: string): { time: number; text: string } | undefined {
  const m = STAMP.exec(line);
  if (!m) return undefined;
  const [, mo, d, y, h, mi, s, text] = m;
  return { time: Math.floor(new Date(Number(y), Number(mo) - 1, Number(d), Number(h), Number(mi), Number(s)).getTime() / 1000), text: text! };
}

function severityOf(text: string): number | undefined {
  if (text.startsWith('WRN - ')) return 4;
  if (text.startsWith('ERR - ') || text.startsWith('CRITICAL - ')) return 8;
  return undefined;
}

/** The log lines of one job for a report: problem lines of its tries, then its exit status once done. */
export function errorLogLinesOf(job: JobRecord, report: ErrorLogReport): ErrorLogLine[] {
  const out: ErrorLogLine[] = [];
  const base = { server: job.server, jobid: job.jobid, client: job.client };
  if (report !== 'backstat') {
    for (const t of job.tries) {
      for (const raw of t.statusLines) {
        const line = splitStamp(raw);
        if (!line) continue;
        const severity = severityOf(line.text);
        if (severity === undefined && report !== 'all') continue;
        out.push({ ...base, time: line.time, type: 2, severity: severity ?? 2, who: 'bpbrm', text: severity !== undefined ? `from client ${job.client}: ${line.text}` : line.text });
      }
    }
  }
  if (job.state === 3 && job.status !== undefined && (report !== 'problems' || job.status !== 0)) {
    out.push({
      ...base, time: job.ended, type: 4, severity: job.status === 0 ? 2 : job.status === 1 ? 4 : 8, who: 'bptm',
      text: `backup of client ${job.client} exited with status ${job.status} (${statusMessage(job.status)})`,
    });
  }
  return out;
}

/** Raw layout: time version type severity server jobid jobgroupid unused client who text. */
export function formatErrorLogRaw(lines: ErrorLogLine[]): string {
  return lines.map((l) => `${l.time} 1 ${l.type} ${l.severity} ${l.server} ${l.jobid} ${l.jobid} 0 ${l.client} ${l.who} ${l.text}\n`).join('');
}

function userTime(epoch: number): string {
  const d = new Date(epoch * 1000);
  const p = (n: number) => String(n).padStart(2, '0');
  return `${p(d.getMonth() + 1)}/${p(d.getDate())}/${d.getFullYear()} ${p(d.getHours())}:${p(d.getMinutes())}:${p(d.getSeconds())}`;
}

/** User layout (-U): a header, then time, server, client and text. */
export function formatErrorLogUser(lines: ErrorLogLine[]): string {
  const rows = lines.map((l) => `${userTime(l.time)} ${l.server.padEnd(14)} ${l.client.padEnd(14)} ${l.text}\n`);
  return `TIME                SERVER         CLIENT         TEXT\n${rows.join('')}`;
}
