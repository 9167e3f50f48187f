// nbpem's behaviour: submits due and user-requested backups to nbjm and records how they ended.

import os from 'node:os';
import { route } from '../../ipc/rpc-server.js';
import { nbpem } from '../../protocol/nbpem.js';
import { nbjm } from '../../protocol/nbjm.js';
import { bpdbm } from '../../protocol/bpdbm.js';
import { backupJobFor } from '../../protocol/backup-job.js';
import type { Home } from '../../config/home.js';
import { confInt, readBpConf } from '../../config/bp-conf.js';
import type { LogLine } from '../../config/daemon-log.js';
import type { DaemonService } from '../../cli/serve-daemon.js';
import { callDaemon } from '../../cli/daemon-call.js';
import { RunHistory } from './run-history.js';
import { pickPerClient, schedulePlan, type DueEntry } from './due.js';
import { closeOrphanCleanupJobs, runImageCleanup, type CleanupResult } from './image-cleanup.js';
import { nowSeconds } from '../../config/clock.js';
import { bpjobd } from '../../protocol/bpjobd.js';
import { JOB_STATE, type JobRecord } from '../../protocol/records.js';
import { backupTriesFrom, triesBlockedUntil, triesLeft } from './retries.js';

/** The longest delay a Node timer keeps (2^31-1 ms), in seconds. */
const MAX_TIMER_SECONDS = 2_147_483;

const key = (policy: string, schedule: string, client: string) => `${policy}\u0000${schedule}\u0000${client}`;

/** The start times of a job's failed tries (a try that never started, 196, does not count). */
const failedTryStarts = (job: JobRecord): number[] => job.tries.filter((t) => t.status !== undefined && t.status > 1 && t.status !== 196).map((t) => t.started);

export function createNbpem(home: Home, log: LogLine): DaemonService {
  const history = new RunHistory(home);
  /** Scheduled jobs submitted and not yet done, by (policy, schedule, client). */
  const running = new Map<string, number>();
  let timer: NodeJS.Timeout | undefined;
  let evaluating: Promise<number[]> | undefined;
  let cleanupTimer: NodeJS.Timeout | undefined;
  let cleaning: Promise<CleanupResult> | undefined;
  let closed = false;

  /** One image cleanup job at a time; callers arriving meanwhile share it. */
  function cleanup(): Promise<CleanupResult> {
    cleaning ??= runImageCleanup(home, log).finally(() => (cleaning = undefined));
    return cleaning;
  }

  async function plan(now: number): Promise<{ entries: DueEntry[]; frequency: (p: string, s: string) => number }> {
    const { policies } = await callDaemon(home, bpdbm.listPolicies, {});
    const tries = backupTriesFrom(readBpConf(home));
    const entries = schedulePlan(policies, (p, s, c) => {
      const h = history.get(p, s, c);
      const notBefore = triesBlockedUntil(h?.failedTries ?? [], now, tries);
      return { lastSuccess: h?.lastSuccess ?? 0, ...(notBefore !== undefined ? { notBefore } : {}) };
    }, now);
    // Calendar-based schedules count as the longest: their run day wins over a frequency schedule due the same day.
    const frequency = (p: string, s: string) => {
      const sched = policies.find((x) => x.name === p)?.schedules.find((x) => x.name === s);
      return (sched?.calendar ?? 0) > 0 ? Number.MAX_SAFE_INTEGER : (sched?.frequencySeconds ?? 0);
    };
    return { entries, frequency };
  }

  let adopted: Promise<void> | undefined;
  /** Once per nbpem: scheduled jobs an earlier nbpem submitted that still run or wait for a retry are not submitted again. */
  function adoptRunning(): Promise<void> {
    adopted ??= callDaemon(home, bpjobd.list, { activeOnly: true })
      .then(({ jobs }) => {
        for (const j of jobs) if (j.jobtype === 0 && j.subtype === 1 && j.parentJob === 0 && !running.has(key(j.policy, j.schedule, j.client))) running.set(key(j.policy, j.schedule, j.client), j.jobid);
      })
      .catch((e) => {
        adopted = undefined;
        log(`cannot list the running jobs: ${(e as Error).message}`);
      });
    return adopted;
  }

  async function submitDue(): Promise<number[]> {
    await adoptRunning();
    await collectEnded();
    const now = nowSeconds();
    const tries = backupTriesFrom(readBpConf(home));
    const { entries, frequency } = await plan(now);
    const due = pickPerClient(entries.filter((e) => e.runnable && ![...running.keys()].some((k) => k.startsWith(`${e.policy}\u0000`) && k.endsWith(`\u0000${e.client}`))), frequency);
    const jobids: number[] = [];
    if (due.length === 0) return jobids;
    const { policies } = await callDaemon(home, bpdbm.listPolicies, {});
    for (const d of due) {
      const policy = policies.find((p) => p.name === d.policy);
      const schedule = policy?.schedules.find((s) => s.name === d.schedule);
      if (!policy || !schedule) continue;
      const requester = { uid: 0, gid: 0, user: 'root', host: os.hostname().split('.')[0]! };
      try {
        const left = Math.max(1, triesLeft(history.get(d.policy, d.schedule, d.client)?.failedTries ?? [], now, tries));
        const { jobid } = await callDaemon(home, nbjm.submitBackup, {
          ...backupJobFor(policy, schedule, d.client, policy.include, requester, 1),
          ...(d.windowCloses !== undefined ? { startBy: d.windowCloses } : {}),
          retry: { tries: left, delaySeconds: tries.retryDelaySeconds },
        });
        running.set(key(d.policy, d.schedule, d.client), jobid);
        jobids.push(jobid);
        log(`scheduled ${d.policy}/${d.schedule} for ${d.client}: job ${jobid}`);
      } catch (e) {
        log(`cannot submit ${d.policy}/${d.schedule} for ${d.client}: ${(e as Error).message}`);
      }
    }
    return jobids;
  }

  /** Records how a scheduled job ended and forgets it as running; nbjm's report and bpjobd's record may both bring it. */
  function ended(job: { jobid: number; policy: string; schedule: string; client: string; status: number; ended: number }, failedTries: readonly number[]): void {
    history.record(job.policy, job.schedule, job.client, job.jobid, job.status, job.ended, failedTries);
    const k = key(job.policy, job.schedule, job.client);
    if (running.get(k) === job.jobid) running.delete(k);
  }

  /**
   * Jobs bpjobd has as done whose report from nbjm has not arrived (nbjm closes the job's record first):
   * recorded now, so that the evaluation right after a job ends sees it ended.
   */
  async function collectEnded(): Promise<void> {
    if (running.size === 0) return;
    const { jobs } = await callDaemon(home, bpjobd.list, { jobids: [...running.values()] });
    for (const j of jobs) if (j.state === JOB_STATE.done) ended({ ...j, status: j.status ?? 50 }, failedTryStarts(j));
  }

  /** One evaluation at a time; callers arriving meanwhile share it. */
  function evaluate(): Promise<number[]> {
    evaluating ??= submitDue().finally(() => (evaluating = undefined));
    return evaluating;
  }

  return {
    routes: [
      route(nbpem.submitBackup, async (job) => {
        const r = await callDaemon(home, nbjm.submitBackup, job);
        log(`submitted ${job.policy}/${job.schedule} for ${job.client}: job ${r.jobid}`);
        return r;
      }),
      route(nbpem.jobDone, async (body) => {
        const at = body.ended ?? nowSeconds();
        // The start times of its failed tries come from its bpjobd record; when that cannot be read, one try at its end.
        const tries = await callDaemon(home, bpjobd.get, { jobid: body.jobid }).then(failedTryStarts, () => (body.status > 1 && body.status !== 196 ? [at] : []));
        ended({ ...body, ended: at }, tries);
        log(`job ${body.jobid} (${body.policy}/${body.schedule} ${body.client}) ended with status ${body.status}`);
        return {};
      }),
      route(nbpem.plan, async ({ at }) => {
        const now = at ?? nowSeconds();
        const { entries } = await plan(now);
        return {
          now,
          entries: entries.map((e) => ({
            policy: e.policy, schedule: e.schedule, schedType: e.schedType, client: e.client, dueAt: e.dueAt,
            ...(e.runAt !== undefined ? { runAt: e.runAt } : {}), runnable: e.runnable, running: running.has(key(e.policy, e.schedule, e.client)),
          })),
        };
      }),
      route(nbpem.runDue, async () => ({ jobids: await evaluate() })),
      route(nbpem.cleanupImages, () => cleanup()),
    ],
    start() {
      // NBPEM_INTERVAL = 0: no timer at all, for sites where cron runs `nbpem -once` (a timer would run
      // what is due at start-up and every interval besides).
      // Node's timers take at most 2^31-1 ms (a longer delay fires at once): longer intervals wait that long.
      const seconds = Math.min(confInt(readBpConf(home), 'NBPEM_INTERVAL', 60), MAX_TIMER_SECONDS);
      const tick = () => {
        void evaluate()
          .catch((e) => log(`schedule evaluation failed: ${(e as Error).message}`))
          .finally(() => {
            if (!closed) timer = setTimeout(tick, seconds * 1000);
          });
      };
      if (seconds > 0) timer = setTimeout(tick, 1000);
      else log(`NBPEM_INTERVAL = ${seconds}: no timer, schedules run when nbpem -once asks`);
      // Image cleanup every CLEANUP_INTERVAL seconds (default 3600), the first one interval after start.
      const cleanupSeconds = Math.min(Math.max(1, confInt(readBpConf(home), 'CLEANUP_INTERVAL', 3600)), MAX_TIMER_SECONDS);
      const cleanupTick = () => {
        if (closed) return;
        void cleanup()
          .catch((e) => log(`image cleanup failed: ${(e as Error).message}`))
          .finally(() => {
            if (!closed) cleanupTimer = setTimeout(cleanupTick, cleanupSeconds * 1000);
          });
      };
      cleanupTimer = setTimeout(cleanupTick, cleanupSeconds * 1000);
      // A cleanup job an earlier nbpem left active (killed mid-run) ends now, not at the next cleanup.
      setTimeout(() => {
        if (!closed && !cleaning) void closeOrphanCleanupJobs(home, log).catch((e) => log(`cannot close earlier cleanup jobs: ${(e as Error).message}`));
      }, 1000).unref();
    },
    close: async () => {
      closed = true;
      if (timer) clearTimeout(timer);
      if (cleanupTimer) clearTimeout(cleanupTimer);
    },
  };
}
