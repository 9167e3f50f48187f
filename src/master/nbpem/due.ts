// nbpem's decision: which (policy, schedule, client) backups are due now, and when each will be.

import type { PolicyRecord, ScheduleRecord } from '../../protocol/records.js';
import { allowedWindowAt, calendarTiming, nextAllowedOpen, type Timing } from './calendar.js';

export interface RunState {
  /** Epoch seconds of the last successful (status 0 or 1) backup of this schedule for this client; 0 = never. */
  lastSuccess: number;
  /** The tries allowed in the retry period (BACKUP_TRIES) are used up until then; absent = not. */
  notBefore?: number;
}

export interface DueEntry {
  policy: string;
  schedule: string;
  schedType: ScheduleRecord['type'];
  client: string;
  /** When the frequency or the calendar says it should run (epoch seconds); -1 = never (no run day ahead). */
  dueAt: number;
  /** When it can start: dueAt, or the next window opening after it; undefined = never (no window). */
  runAt: number | undefined;
  /** It may start now. */
  runnable: boolean;
  /** The open window's close, when runnable: a job still queued then ends with 196. */
  windowCloses?: number;
}

const isCalendar = (s: ScheduleRecord) => (s.calendar ?? 0) > 0;

/** Scheduled types only: user backups and archives run when users ask. */
function isScheduled(s: ScheduleRecord): boolean {
  return (s.type === 'FULL' || s.type === 'INCR' || s.type === 'CINC') && (s.frequencySeconds > 0 || isCalendar(s));
}

/** A frequency-based schedule: due a frequency after the last success, runs in a window that did not open on an exclude date. */
function frequencyTiming(s: ScheduleRecord, state: RunState, now: number): Timing {
  const last = state.lastSuccess;
  const dueAt = last > 0 ? last + s.frequencySeconds : 0;
  const notBefore = state.notBefore ?? 0;
  const runAt = nextAllowedOpen(s, Math.max(dueAt, now, notBefore));
  const window = allowedWindowAt(s, now);
  const runnable = now >= dueAt && now >= notBefore && window !== undefined;
  return { dueAt, runAt, runnable, ...(runnable && window ? { windowCloses: window.close } : {}) };
}

/**
 * Every scheduled backup of the active policies, with its due time: a frequency-based schedule is due
 * when the last successful backup of that schedule is older than its frequency, a calendar-based one
 * on its run days (calendar.ts); either runs when a window is open (NetBackup runs nothing
 * automatically outside windows; no window, never) and never in a window opening on an exclude date.
 */
export function schedulePlan(policies: readonly PolicyRecord[], state: (policy: string, schedule: string, client: string) => RunState, now: number): DueEntry[] {
  const out: DueEntry[] = [];
  for (const p of policies) {
    if (!p.active) continue;
    for (const s of p.schedules.filter(isScheduled)) {
      for (const [client] of p.clients) {
        const st = state(p.name, s.name, client);
        const t = isCalendar(s) ? calendarTiming(s, st.lastSuccess, now, p.created, st.notBefore) : frequencyTiming(s, st, now);
        out.push({ policy: p.name, schedule: s.name, schedType: s.type, client, ...t });
      }
    }
  }
  return out.sort((a, b) => (a.runAt ?? Infinity) - (b.runAt ?? Infinity) || a.policy.localeCompare(b.policy));
}

/**
 * When several schedules of one policy and client are due at once, NetBackup runs the one with the
 * longest frequency (a full rather than an incremental that day); the caller gives calendar-based
 * schedules the longest.
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
