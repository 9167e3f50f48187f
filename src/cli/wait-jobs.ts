// Waiting for jobs to end (bpbackup -w, bprestore -w), with the job's own words when it failed.

import type { Home } from '../config/home.js';
import { bpjobd } from '../protocol/bpjobd.js';
import { bprd } from '../protocol/bprd.js';
import { JOB_STATE, type JobRecord } from '../protocol/records.js';
import { OpenbpError } from '../protocol/errors.js';
import { callDaemon, connectDaemon } from './daemon-call.js';
import type { RpcConnection } from '../ipc/rpc-client.js';
import { ownsMaster } from './master-access.js';

/** The master's owner asks bpjobd; another user asks bprd, which answers for their own jobs only. */
function jobSpecs(home: Home) {
  return ownsMaster(home) ? { wait: bpjobd.wait, list: bpjobd.list } : { wait: bprd.waitJob, list: bprd.listJobs };
}

const POLL_MS = 500;

/**
 * Resolves with the final records; seconds = 0 waits without limit. onProgress, when given, sees the
 * jobs' records about twice a second while they run (for a terminal's status line), from the first half second on.
 *
 * Two witnesses watch each job: bpjobd's wait (answered when the job ends) and the poll of the jobs'
 * records. A job the poll finds done ends its wait even if the wait's answer never comes (a bpjobd
 * restarted in between, or one that lost its socket to another copy); a job bpjobd no longer knows
 * fails the wait with its status instead of leaving it waiting for ever.
 */
export async function waitForJobs(home: Home, jobids: readonly number[], seconds: number, onProgress?: (jobs: JobRecord[]) => void): Promise<JobRecord[]> {
  const open = new Set<RpcConnection>();
  let stopped = false;
  const seen = new Map<number, { done: (j: JobRecord) => void; gone: (e: OpenbpError) => void }>();
  const all = Promise.all(
    jobids.map(
      (jobid) =>
        new Promise<JobRecord>((resolve, reject) => {
          seen.set(jobid, { done: resolve, gone: reject });
          waitOne(home, jobid, open, () => stopped).then(resolve, reject);
        }),
    ),
  );
  let poller: NodeJS.Timeout | undefined;
  const poll = async () => {
    try {
      const { jobs } = await callDaemon(home, jobSpecs(home).list, { jobids: [...jobids] });
      if (!stopped) {
        onProgress?.(jobs);
        for (const jobid of jobids) {
          const j = jobs.find((x) => x.jobid === jobid);
          if (!j) seen.get(jobid)?.gone(new OpenbpError('NO_ENTITY', `job ${jobid} does not exist any more (bpdbjobs -jobid ${jobid})`));
          else if (j.state === JOB_STATE.done) seen.get(jobid)?.done(j);
        }
      }
    } catch {
      /* the poll is best effort: the wait itself reports a daemon that cannot be reached */
    }
    // A poll still in flight when the wait ended must not schedule another (the process would never exit).
    if (!stopped) poller = setTimeout(() => void poll(), POLL_MS);
  };
  // The first poll comes after one interval: a short job ends on the wait's answer alone (no list call
  // in the command and in bpjobd while the job starts).
  poller = setTimeout(() => void poll(), POLL_MS);
  try {
    return await withTimeout(all, jobids, seconds);
  } finally {
    stopped = true;
    if (poller) clearTimeout(poller);
    for (const c of open) c.close();
  }
}

const WAIT_RETRIES = 10;

/**
 * Waits for one job on a connection of its own (kept in `open` so the caller can close it when the
 * poll settled the job first); a bpjobd that restarts meanwhile (connection broken) is asked again.
 */
async function waitOne(home: Home, jobid: number, open: Set<RpcConnection>, stopped: () => boolean): Promise<JobRecord> {
  const spec = jobSpecs(home).wait;
  for (let attempt = 0; ; attempt++) {
    try {
      const conn = await connectDaemon(home, spec.daemon);
      if (stopped()) {
        conn.close();
        throw new OpenbpError('NETWORK_BROKEN', 'wait ended');
      }
      open.add(conn);
      try {
        return await conn.request(spec, { jobid });
      } finally {
        open.delete(conn);
        conn.close();
      }
    } catch (e) {
      const retriable = e instanceof OpenbpError && (e.code === 'NETWORK_BROKEN' || e.code === 'CANNOT_CONNECT');
      if (!retriable || attempt >= WAIT_RETRIES || stopped()) throw e;
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
