// Waiting for jobs to end (bpbackup -w, bprestore -w), with the job's own words when it failed.

import type { Home } from '../config/home.js';
import { bpjobd } from '../protocol/bpjobd.js';
import { bprd } from '../protocol/bprd.js';
import type { JobRecord } from '../protocol/records.js';
import { OpenbpError } from '../protocol/errors.js';
import { callDaemon } from './daemon-call.js';
import { ownsMaster } from './master-access.js';

/** The master's owner asks bpjobd; another user asks bprd, which answers for their own jobs only. */
function jobSpecs(home: Home) {
  return ownsMaster(home) ? { wait: bpjobd.wait, list: bpjobd.list } : { wait: bprd.waitJob, list: bprd.listJobs };
}

const POLL_MS = 500;

/**
 * Resolves with the final records; seconds = 0 waits without limit. onProgress, when given, sees the
 * jobs' records about twice a second while they run (for a terminal's status line).
 */
export async function waitForJobs(home: Home, jobids: readonly number[], seconds: number, onProgress?: (jobs: JobRecord[]) => void): Promise<JobRecord[]> {
  const all = Promise.all(jobids.map((jobid) => waitOne(home, jobid)));
  let poller: NodeJS.Timeout | undefined;
  let stopped = false;
  if (onProgress) {
    const poll = async () => {
      try {
        const { jobs } = await callDaemon(home, jobSpecs(home).list, { jobids: [...jobids] });
        if (!stopped) onProgress(jobs);
      } catch {
        /* progress is best effort */
      }
      // A poll still in flight when the wait ended must not schedule another (the process would never exit).
      if (!stopped) poller = setTimeout(() => void poll(), POLL_MS);
    };
    void poll();
  }
  try {
    return await withTimeout(all, jobids, seconds);
  } finally {
    stopped = true;
    if (poller) clearTimeout(poller);
  }
}

const WAIT_RETRIES = 10;

/** Waits for one job; a bpjobd that restarts meanwhile (connection broken) is asked again. */
async function waitOne(home: Home, jobid: number): Promise<JobRecord> {
  for (let attempt = 0; ; attempt++) {
    try {
      return await callDaemon(home, jobSpecs(home).wait, { jobid });
    } catch (e) {
      const retriable = e instanceof OpenbpError && (e.code === 'NETWORK_BROKEN' || e.code === 'CANNOT_CONNECT');
      if (!retriable || attempt >= WAIT_RETRIES) throw e;
      await new Promise((r) => setTimeout(r, 200 * (attempt + 1)));
    }
  }
}

/** One status line for a terminal: "Backup job 12: active, 1234 files, 45.6 MB". */
export function describeJobs(jobs: readonly JobRecord[]): string {
  return jobs
    .map((j) => {
      const kind = j.jobtype === 2 ? 'Restore' : 'Backup';
      const state = j.state === 0 ? `queued${j.stateDetail ? ` (${j.stateDetail})` : ''}` : j.state === 3 ? 'done' : 'active';
      return `${kind} job ${j.jobid}: ${state}, ${j.files} files, ${(j.kbytes / 1024).toFixed(1)} MB`;
    })
    .join('; ');
}

async function withTimeout(all: Promise<JobRecord[]>, jobids: readonly number[], seconds: number): Promise<JobRecord[]> {
  if (seconds <= 0) return all;
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => reject(new OpenbpError('NETWORK_TIMEOUT', `job ${jobids.join(',')} still running after the -w time; it goes on (bpdbjobs -jobid ${jobids[0]})`)),
      seconds * 1000,
    );
  });
  try {
    return await Promise.race([all, timeout]);
  } finally {
    if (timer) clearTimeout(timer);
  }
}

/** The worst status of several jobs (NetBackup: any failure beats partial, partial beats success). */
export function worstStatus(statuses: readonly number[]): number {
  let worst = 0;
  for (const s of statuses) {
    if (s > 1) return s;
    if (s === 1) worst = 1;
  }
  return worst;
}

/** The warning lines a job recorded (files not backed up or restored). */
export function jobWarnings(job: JobRecord): string[] {
  const out: string[] = [];
  for (const t of job.tries) for (const l of t.statusLines) if (l.includes(' - WRN - ')) out.push(l.slice(l.indexOf(' - WRN - ') + 9));
  return out;
}

/** The last status line that explains a failure, if any. */
export function failureDetail(job: JobRecord): string | undefined {
  const lines = job.tries.at(-1)?.statusLines ?? [];
  for (let i = lines.length - 1; i >= 0; i--) {
    const l = lines[i]!;
    const text = l.includes(' - ') ? l.slice(l.indexOf(' - ') + 3) : l;
    if (!text.startsWith('end ') && !text.startsWith('WRN') && !text.startsWith('end job')) return text;
  }
  return undefined;
}
