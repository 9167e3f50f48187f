// bpjobd's behaviour: job ids, updates, try records, waiting for a job to end.

import { route } from '../../ipc/rpc-server.js';
import { bpjobd } from '../../protocol/bpjobd.js';
import { JOB_STATE, type JobRecord } from '../../protocol/records.js';
import { OpenbpError } from '../../protocol/errors.js';
import type { Home } from '../../config/home.js';
import type { LogLine } from '../../config/daemon-log.js';
import type { DaemonService } from '../../cli/serve-daemon.js';
import { JobLog } from './job-log.js';
import { nowMs } from '../../config/clock.js';

function stampLine(text: string, now = new Date(nowMs())): string {
  const p = (n: number) => String(n).padStart(2, '0');
  return `${p(now.getMonth() + 1)}/${p(now.getDate())}/${now.getFullYear()} ${p(now.getHours())}:${p(now.getMinutes())}:${p(now.getSeconds())} - ${text}`;
}

export function createBpjobd(home: Home, log: LogLine): DaemonService {
  const store = new JobLog(home.jobs, log);
  const jobs = store.replay();
  let nextId = Math.max(0, ...jobs.keys()) + 1;
  const waiters = new Map<number, Array<(j: JobRecord) => void>>();

  function get(jobid: number): JobRecord {
    const j = jobs.get(jobid);
    if (!j) throw new OpenbpError('NO_ENTITY', `job ${jobid} does not exist`);
    return j;
  }

  function save(j: JobRecord): void {
    jobs.set(j.jobid, j);
    try {
      store.append(j);
    } catch (e) {
      // Disk full or failing: the record stays in memory (the next append that succeeds carries it, the
      // last record of a job wins) and the caller is told; what is already in jobs.log is untouched.
      log(`cannot append job ${j.jobid} to jobs.log: ${(e as Error).message}`);
      throw new OpenbpError('DATABASE_ERROR', `cannot record job ${j.jobid}: ${(e as Error).message}`, { cause: e });
    } finally {
      if (j.state === JOB_STATE.done) {
        for (const w of waiters.get(j.jobid) ?? []) w(j);
        waiters.delete(j.jobid);
      }
    }
  }

  return {
    routes: [
      route(bpjobd.create, (body) => {
        const job: JobRecord = { ...body, jobid: nextId++ };
        save(job);
        log(`job ${job.jobid} created: type ${job.jobtype} client ${job.client} policy ${job.policy}`);
        return { jobid: job.jobid };
      }),
      route(bpjobd.update, (body) => {
        const old = get(body.jobid);
        const job: JobRecord = { ...old, ...body.patch, tries: [...old.tries] };
        if (body.newTry) job.tries.push(body.newTry);
        const last = job.tries.length - 1;
        if (last >= 0 && (body.tryLines || body.tryPatch)) {
          const t = { ...job.tries[last]! };
          if (body.tryLines) t.statusLines = [...t.statusLines, ...body.tryLines.map((l) => stampLine(l))];
          if (body.tryPatch) Object.assign(t, Object.fromEntries(Object.entries(body.tryPatch).filter(([, v]) => v !== undefined)));
          job.tries[last] = t;
        }
        save(job);
        store.maybeCompact(jobs.values());
        return {};
      }),
      route(bpjobd.get, (body) => get(body.jobid)),
      route(bpjobd.list, (body) => {
        let list = body.jobids ? body.jobids.map((id) => jobs.get(id)).filter((j): j is JobRecord => j !== undefined) : [...jobs.values()];
        if (body.activeOnly) list = list.filter((j) => j.state !== JOB_STATE.done);
        list.sort((a, b) => b.jobid - a.jobid);
        return { jobs: list };
      }),
      route(bpjobd.wait, async (body, ctx) => {
        const j = get(body.jobid);
        if (j.state === JOB_STATE.done) return j;
        return new Promise<JobRecord>((resolve, reject) => {
          const list = waiters.get(body.jobid) ?? [];
          list.push(resolve);
          waiters.set(body.jobid, list);
          void ctx.closed.then(() => reject(new OpenbpError('NETWORK_BROKEN', 'waiter went away')));
        });
      }),
    ],
    close: async () => store.close(),
  };
}
