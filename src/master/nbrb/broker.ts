// nbrb's behaviour: answers allocate when the limits allow, releases, re-evaluates the queue.

import { route } from '../../ipc/rpc-server.js';
import { nbrb } from '../../protocol/nbrb.js';
import { nbemm } from '../../protocol/nbemm.js';
import { bpjobd } from '../../protocol/bpjobd.js';
import type { StorageUnit } from '../../protocol/records.js';
import { OpenbpError } from '../../protocol/errors.js';
import type { Home } from '../../config/home.js';
import { confInt, readBpConf } from '../../config/bp-conf.js';
import type { LogLine } from '../../config/daemon-log.js';
import type { DaemonService } from '../../cli/serve-daemon.js';
import { callDaemon } from '../../cli/daemon-call.js';
import { decide, queueOrder, type Allocation, type AllocationRequest } from './allocate.js';

interface Waiting extends AllocationRequest {
  resolve: (u: StorageUnit) => void;
  reject: (e: unknown) => void;
  reason: string;
}

export function createNbrb(home: Home, log: LogLine): DaemonService {
  const allocated = new Map<number, Allocation>();
  let waiting: Waiting[] = [];
  let evaluating = false;
  let again = false;

  const limits = () => ({ maxJobsPerClient: confInt(readBpConf(home), 'MAX_JOBS_PER_CLIENT', 1) });

  async function evaluate(): Promise<void> {
    if (evaluating) {
      again = true;
      return;
    }
    evaluating = true;
    try {
      do {
        again = false;
        if (waiting.length === 0) break;
        const { units } = await callDaemon(home, nbemm.listStorageUnits, {});
        const lim = limits();
        waiting.sort(queueOrder);
        const still: Waiting[] = [];
        for (const w of waiting) {
          const d = decide(w, units, [...allocated.values()], lim);
          if ('unit' in d) {
            allocated.set(w.jobid, { jobid: w.jobid, client: w.client, policy: w.policy, kind: w.kind, unit: d.unit });
            log(`job ${w.jobid}: allocated ${d.unit.label}`);
            w.resolve(d.unit);
          } else if ('fail' in d) {
            log(`job ${w.jobid}: ${d.fail.message}`);
            w.reject(d.fail);
          } else {
            if (w.reason !== d.wait) {
              w.reason = d.wait;
              void callDaemon(home, bpjobd.update, { jobid: w.jobid, patch: { stateDetail: d.wait } }).catch(() => {});
            }
            still.push(w);
          }
        }
        waiting = still;
      } while (again);
    } catch (e) {
      log(`evaluate: ${(e as Error).message}`);
      for (const w of waiting) w.reject(e);
      waiting = [];
    } finally {
      evaluating = false;
    }
  }

  return {
    routes: [
      route(nbrb.allocate, (body, ctx) => {
        const existing = allocated.get(body.jobid);
        if (existing) return { unit: existing.unit };
        return new Promise((resolve, reject) => {
          const w: Waiting = { ...body, arrived: Date.now(), resolve: (unit) => resolve({ unit, ...(w.reason ? { waited: w.reason } : {}) }), reject, reason: '' };
          waiting.push(w);
          void ctx.closed.then(() => {
            if (waiting.includes(w)) {
              waiting = waiting.filter((x) => x !== w);
              reject(new OpenbpError('NETWORK_BROKEN', 'requester went away'));
            }
          });
          void evaluate();
        });
      }),
      route(nbrb.release, (body) => {
        if (allocated.delete(body.jobid)) log(`job ${body.jobid}: released`);
        void evaluate();
        return {};
      }),
      route(nbrb.state, () => ({
        allocated: [...allocated.values()].map((a) => ({ jobid: a.jobid, stunit: a.unit.label })),
        waiting: waiting.map((w) => ({ jobid: w.jobid, reason: w.reason })),
      })),
    ],
    /** After a restart, jobs still active keep their storage units: rebuild the allocations from bpjobd. */
    async start() {
      try {
        const [{ jobs }, { units }] = await Promise.all([callDaemon(home, bpjobd.list, { activeOnly: true }), callDaemon(home, nbemm.listStorageUnits, {})]);
        for (const j of jobs) {
          const unit = units.find((u) => u.label === j.stunit);
          if (j.state !== 1 || !unit || allocated.has(j.jobid)) continue;
          allocated.set(j.jobid, { jobid: j.jobid, client: j.client, policy: j.policy, kind: j.jobtype === 2 ? 'restore' : j.jobtype === 3 ? 'verify' : 'backup', unit });
          log(`job ${j.jobid}: allocation of ${unit.label} recovered`);
        }
      } catch (e) {
        log(`recovering allocations failed: ${(e as Error).message}`);
      }
    },
    close: async () => {},
  };
}
