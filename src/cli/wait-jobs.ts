// Waiting for jobs to end (bpbackup -w, bprestore -w), with the job's own words when it failed.

import type { Home } from '../config/home.js';
import { bpjobd } from '../protocol/bpjobd.js';
import type { JobRecord } from '../protocol/records.js';
import { OpenbpError } from '../protocol/errors.js';
import { callDaemon } from './daemon-call.js';

/** Resolves with the final records; seconds = 0 waits without limit. */
export async function waitForJobs(home: Home, jobids: readonly number[], seconds: number): Promise<JobRecord[]> {
  const all = Promise.all(jobids.map((jobid) => callDaemon(home, bpjobd.wait, { jobid })));
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
