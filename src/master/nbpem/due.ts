// nbpem's decision: which (policy, schedule, client) backups are due now, and when each will be.

import type { PolicyRecord, ScheduleRecord } from '../../protocol/records.js';
import { nextWindowOpen, openWindowAt } from './windows.js';

export interface RunState {
  /** Epoch seconds of the last successful (status 0 or 1) backup of this schedule for this client; 0 = never. */
  lastSuccess: number;
}

export interface DueEntry {
  policy: string;
  schedule: string;
  schedType: ScheduleRecord['type'];
  client: string;
  /** When the frequency says it should run (epoch seconds). */
  dueAt: number;
  /** When it can start: dueAt, or the next window opening after it; undefined = never (no window). */
  runAt: number | undefined;
  /** It may start now. */
  runnable: boolean;
  /** The open window's close, when runnable: a job still queued then ends with 196. */
  windowCloses?: number;
}

/** Scheduled types only: user backups and archives run when users ask. */
function isScheduled(s: ScheduleRecord): boolean {
  return (s.type === 'FULL' || s.type === 'INCR' || s.type === 'CINC') && s.frequencySeconds > 0;
}

/**
 * Every scheduled backup of the active policies, with its due time: a frequency-based schedule is due
 * when the last successful backup of that schedule is older than its frequency, and runs when a
 * window is open (NetBackup runs nothing automatically outside windows; no window, never).
 */
export function schedulePlan(policies: readonly PolicyRecord[], state: (policy: string, schedule: string, client: string) => RunState, now: number): DueEntry[] {
  const out: DueEntry[] = [];
  for (const p of policies) {
    if (!p.active) continue;
    for (const s of p.schedules.filter(isScheduled)) {
      for (const [client] of p.clients) {
        const last = state(p.name, s.name, client).lastSuccess;
        const dueAt = last > 0 ? last + s.frequencySeconds : 0;
        const from = Math.max(dueAt, now);
        const runAt = nextWindowOpen(s.windows, from);
        const window = openWindowAt(s.windows, now);
        const runnable = now >= dueAt && window !== undefined;
        out.push({
          policy: p.name, schedule: s.name, schedType: s.type, client, dueAt, runAt, runnable,
          ...(runnable && window ? { windowCloses: window.close } : {}),
        });
      }
    }
  }
  return out.sort((a, b) => (a.runAt ?? Infinity) - (b.runAt ?? Infinity) || a.policy.localeCompare(b.policy));
}

/**
 * When several schedules of one policy and client are due at once, NetBackup runs the one with the
 * longest frequency (a full rather than an incremental that day).
 */
export function pickPerClient(due: readonly DueEntry[], frequency: (policy: string, schedule: string) => number): DueEntry[] {
  const best = new Map<string, DueEntry>();
  for (const d of due) {
    const k = `${d.policy}\u0000${d.client}`;
    const cur = best.get(k);
    if (!cur || frequency(d.policy, d.schedule) > frequency(cur.policy, cur.schedule)) best.set(k, d);
  }
  return [...best.values()];
}
