// bpjobd's store: an append-only log of job records (last record of a job id wins), replayed at start.

import fs from 'node:fs';
import path from 'node:path';
import { jobRecord, type JobRecord } from '../../protocol/records.js';
import { writeFileAtomic } from '../../config/atomic-file.js';

const COMPACT_AFTER_BYTES = 64 * 1024 * 1024;

export class JobLog {
  private readonly file: string;
  private fd: number;
  private written = 0;

  constructor(dir: string, private readonly onBadLine: (msg: string) => void = () => {}) {
    this.file = path.join(dir, 'jobs.log');
    this.fd = fs.openSync(this.file, 'a', 0o600);
    this.written = fs.fstatSync(this.fd).size;
  }

  /** Every job as last recorded; a torn last line (crash mid-append) is ignored. */
  replay(): Map<number, JobRecord> {
    const jobs = new Map<number, JobRecord>();
    let text: string;
    try {
      text = fs.readFileSync(this.file, 'utf8');
    } catch {
      return jobs;
    }
    const lines = text.split('\n');
    for (let i = 0; i < lines.length; i++) {
      const line = lines[i]!;
      if (!line) continue;
      try {
        const rec = jobRecord.parse(JSON.parse(line));
        jobs.set(rec.jobid, rec);
      } catch {
        if (i < lines.length - 1) this.onBadLine(`jobs.log line ${i + 1} unreadable, skipped`);
      }
    }
    return jobs;
  }

  append(job: JobRecord): void {
    const line = Buffer.from(`${JSON.stringify(job)}\n`, 'utf8');
    const size = fs.fstatSync(this.fd).size;
    try {
      let done = 0;
      while (done < line.length) done += fs.writeSync(this.fd, line, done);
    } catch (e) {
      // A write that failed part-way (ENOSPC) is cut back, so no torn record sits before the next one.
      try {
        fs.ftruncateSync(this.fd, size);
      } catch {
        /* the replay skips an unreadable line */
      }
      throw e;
    }
    this.written += line.length;
  }

  /** Rewrites the log with one line per job when it has grown large. */
  maybeCompact(jobs: Iterable<JobRecord>): void {
    if (this.written < COMPACT_AFTER_BYTES) return;
    const text = [...jobs].map((j) => JSON.stringify(j)).join('\n') + '\n';
    writeFileAtomic(this.file, text);
    fs.closeSync(this.fd);
    this.fd = fs.openSync(this.file, 'a', 0o600);
    this.written = Buffer.byteLength(text);
  }

  close(): void {
    fs.closeSync(this.fd);
  }
}
