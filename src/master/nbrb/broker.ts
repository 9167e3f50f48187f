// nbrb's behaviour: answers allocate when the limits allow, releases, re-evaluates the queue.

import { route } from '../../ipc/rpc-server.js';
import { nbrb } from '../../protocol/nbrb.js';
import { nbemm } from '../../protocol/nbemm.js';
import { bpjobd } from '../../protocol/bpjobd.js';
import type { StorageUnit, TapeAssignment } from '../../protocol/records.js';
import { OpenbpError } from '../../protocol/errors.js';
import type { Home } from '../../config/home.js';
import { confInt, readBpConf } from '../../config/bp-conf.js';
import type { LogLine } from '../../config/daemon-log.js';
import type { DaemonService } from '../../cli/serve-daemon.js';
import { callDaemon } from '../../cli/daemon-call.js';
import { decide, queueOrder, type Allocation, type AllocationRequest } from './allocate.js';
import { nowMs } from '../../config/clock.js';
import { formatNbDateTime } from '../../cli/dates.js';
import { pickVolume, volumesInUse, type MediaView } from './tape-allocate.js';
import { recoverAllocations, tapeResources } from './recover-allocations.js';

const FROZEN = 0x1;
const FULL = 0x8;

interface Waiting extends AllocationRequest {
  resolve: (a: { unit: StorageUnit; tape?: TapeAssignment }) => void;
  reject: (e: unknown) => void;
  reason: string;
}

export function createNbrb(home: Home, log: LogLine): DaemonService {
  const allocated = new Map<number, Allocation>();
  let waiting: Waiting[] = [];
  let evaluating = false;
  let again = false;
  // Requests wait until start() has rebuilt the allocations of running jobs: a job asking before that would
  // be given a drive or volume a running job holds.
  let markRecovered!: () => void;
  const recovered = new Promise<void>((resolve) => (markRecovered = resolve));

  const limits = () => ({ maxJobsPerClient: confInt(readBpConf(home), 'MAX_JOBS_PER_CLIENT', 1) });

  async function mediaView(): Promise<MediaView> {
    const [{ robots, drives }, { volumes, pools }] = await Promise.all([callDaemon(home, nbemm.listDevices, {}), callDaemon(home, nbemm.listVolumes, {})]);
    return { robots, drives, volumes, pools };
  }

  /**
   * The job takes the volume: nbemm moves a scratch volume into the pool and counts the mount. The job record
   * keeps the drive and volumes, for the allocation a restarted nbrb rebuilds.
   */
  async function assign(jobid: number, tape: TapeAssignment, retentionLevel: number): Promise<void> {
    if (tape.volume) {
      await callDaemon(home, nbemm.assignVolume, { mediaId: tape.volume.mediaId, pool: tape.pool, retentionLevel });
      log(`job ${jobid}: volume ${tape.volume.mediaId} in drive ${tape.drive.name}`);
    }
    await callDaemon(home, bpjobd.update, { jobid, patch: { tape: tapeResources(tape) } }).catch((e: Error) => log(`job ${jobid}: recording its tape resources failed: ${e.message}`));
  }

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
        const media = units.some((u) => u.type === 'tape') ? await mediaView() : undefined;
        const lim = limits();
        waiting.sort(queueOrder);
        const still: Waiting[] = [];
        const granted: { w: Waiting; unit: StorageUnit; tape?: TapeAssignment }[] = [];
        for (const w of waiting) {
          const d = decide(w, units, [...allocated.values()], lim, media);
          if ('unit' in d) {
            allocated.set(w.jobid, { jobid: w.jobid, client: w.client, policy: w.policy, kind: w.kind, unit: d.unit, ...(d.tape ? { tape: d.tape, retentionLevel: w.retentionLevel ?? 0 } : {}) });
            log(`job ${w.jobid}: allocated ${d.unit.label}${d.tape ? ` drive ${d.tape.drive.index}${d.tape.volume ? ` volume ${d.tape.volume.mediaId}` : ''}` : ''}`);
            granted.push({ w, unit: d.unit, ...(d.tape ? { tape: d.tape } : {}) });
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
        for (const g of granted) {
          try {
            if (g.tape) await assign(g.w.jobid, g.tape, g.w.retentionLevel ?? 0);
            g.w.resolve({ unit: g.unit, ...(g.tape ? { tape: g.tape } : {}) });
          } catch (e) {
            allocated.delete(g.w.jobid);
            g.w.reject(e);
          }
        }
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
      route(nbrb.allocate, async (body, ctx) => {
        await recovered;
        const existing = allocated.get(body.jobid);
        if (existing) return { unit: existing.unit, ...(existing.tape ? { tape: existing.tape } : {}) };
        return new Promise((resolve, reject) => {
          let closes: NodeJS.Timeout | undefined;
          const w: Waiting = {
            ...body, arrived: Date.now(), reason: '',
            resolve: (g) => (clearTimeout(closes), resolve({ ...g, ...(w.reason ? { waited: w.reason } : {}) })),
            reject: (e) => (clearTimeout(closes), reject(e)),
          };
          if (body.startBy !== undefined) {
            // The job's backup window closes then: a request still waiting gives up with 196.
            const windowClosed = () => new OpenbpError('WINDOW_CLOSED', `backup window closed at ${formatNbDateTime(body.startBy!)} before resources were available${w.reason ? ` (${w.reason})` : ''}`);
            const ms = body.startBy * 1000 - nowMs();
            if (ms <= 0) return reject(windowClosed());
            closes = setTimeout(() => {
              if (!waiting.includes(w)) return;
              waiting = waiting.filter((x) => x !== w);
              log(`job ${w.jobid}: backup window closed while queued`);
              w.reject(windowClosed());
            }, ms);
          }
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
      route(nbrb.release, async (body) => {
        await recovered;
        if (allocated.delete(body.jobid)) log(`job ${body.jobid}: released`);
        void evaluate();
        return {};
      }),
      route(nbrb.nextVolume, async ({ jobid, mediaId, reason }) => {
        await recovered;
        const a = allocated.get(jobid);
        if (!a?.tape?.volume) throw new OpenbpError('INVALID_PARAMETER', `job ${jobid} holds no tape volume`);
        const mark = reason === 'full' ? FULL : FROZEN;
        await callDaemon(home, nbemm.changeVolume, { mediaId, setStatus: mark });
        log(`job ${jobid}: volume ${mediaId} ${reason}: marked ${reason === 'full' ? 'FULL' : 'FROZEN'}`);
        const others = [...allocated.values()].filter((x) => x.jobid !== jobid).map((x) => x.tape);
        const pick = pickVolume(a.unit, a.tape.pool, a.retentionLevel ?? 0, await mediaView(), volumesInUse(others));
        if (!('volume' in pick)) {
          throw 'fail' in pick ? pick.fail : new OpenbpError('NO_MEDIA_AVAILABLE', `no other volume for job ${jobid}: ${pick.wait}`);
        }
        a.tape = { ...a.tape, volume: pick.volume };
        await assign(jobid, a.tape, a.retentionLevel ?? 0);
        return { volume: pick.volume };
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
        const media = jobs.some((j) => j.tape) ? await mediaView() : undefined;
        for (const a of recoverAllocations(jobs, units, media)) {
          if (allocated.has(a.jobid)) continue;
          allocated.set(a.jobid, a);
          log(`job ${a.jobid}: allocation of ${a.unit.label}${a.tape ? ` drive ${a.tape.drive.index}${a.tape.volume ? ` volume ${a.tape.volume.mediaId}` : ''}` : ''} recovered`);
        }
      } catch (e) {
        log(`recovering allocations failed: ${(e as Error).message}`);
      } finally {
        markRecovered();
      }
    },
    close: async () => {},
  };
}
