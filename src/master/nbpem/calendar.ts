// Calendar-based schedules: which local dates are run days, exclude dates, and when such a schedule is due.

import type { ScheduleRecord, ScheduleWindow } from '../../protocol/records.js';
import { nextWindowOpen, openWindowAt } from './windows.js';

/** How far nbpem looks for a run day: a year and a bit (every recurring rule repeats within it). */
const SEARCH_DAYS = 400;
/** An include date further ahead than this is not looked for. */
const MAX_SEARCH_DAYS = 3660;

export interface Occurrence {
  open: number;
  close: number;
}

/** What nbpem needs of a schedule's timing: due time, start time, runnable now, and the close of the window it would run in. */
export interface Timing {
  /** When it is due (epoch seconds); 0 = already, -1 = never (no run day ahead). */
  dueAt: number;
  /** When it can start; undefined = never. */
  runAt: number | undefined;
  runnable: boolean;
  windowCloses?: number;
}

const pad = (n: number) => String(n).padStart(2, '0');

/** Local midnight `days` days after the day of t. */
function dayStart(t: number, days = 0): Date {
  const d = new Date(t * 1000);
  return new Date(d.getFullYear(), d.getMonth(), d.getDate() + days);
}

/** The local calendar date of t as stored in schedules: `YYYY-MM-DD`. */
export function dateOf(t: number): string {
  const d = new Date(t * 1000);
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}`;
}

function daysInMonth(d: Date): number {
  return new Date(d.getFullYear(), d.getMonth() + 1, 0).getDate();
}

export function isExcluded(s: ScheduleRecord, t: number): boolean {
  return s.excludeDates?.includes(dateOf(t)) ?? false;
}

/**
 * Whether the day of t is a run day of a calendar schedule: a specific include date, a weekday of a
 * week of the month (week n = the nth such weekday, 5 = the last one), or a day of the month (0 = the
 * last day; 29-31 only in months that have them); never an exclude date.
 */
export function isRunDay(s: ScheduleRecord, t: number): boolean {
  if (isExcluded(s, t)) return false;
  if (s.includeDates?.includes(dateOf(t))) return true;
  const d = dayStart(t);
  const date = d.getDate();
  const last = daysInMonth(d);
  if (s.monthDays?.some((n) => (n === 0 ? date === last : date === n))) return true;
  const nth = Math.ceil(date / 7);
  const isLast = date + 7 > last;
  return s.weekdays?.some((w) => w.day === d.getDay() && (w.week === 5 ? isLast : w.week === nth)) ?? false;
}

/** The window that opens on the day that starts at `midnight` (at most one per weekday). */
function windowOpeningOn(windows: readonly ScheduleWindow[] | undefined, midnight: Date): Occurrence | undefined {
  const w = windows?.find((x) => x.day === midnight.getDay() && x.duration > 0);
  if (!w) return undefined;
  const open = Math.floor(midnight.getTime() / 1000) + w.start;
  return { open, close: open + w.duration };
}

/** The window open at t unless it opened on an exclude date. */
export function allowedWindowAt(s: ScheduleRecord, t: number): Occurrence | undefined {
  const o = openWindowAt(s.windows, t);
  return o && !isExcluded(s, o.open) ? o : undefined;
}

/** The first time >= t at which a window is open that did not open on an exclude date; undefined = never. */
export function nextAllowedOpen(s: ScheduleRecord, t: number): number | undefined {
  let at = t;
  for (let i = 0; i < SEARCH_DAYS; i++) {
    const next = nextWindowOpen(s.windows, at);
    if (next === undefined) return undefined;
    const o = openWindowAt(s.windows, next)!;
    if (!isExcluded(s, o.open)) return next;
    at = o.close;
  }
  return undefined;
}

/** The run-day window open at t, if any (a window belongs to the day it opens). */
function runDayWindowAt(s: ScheduleRecord, t: number): Occurrence | undefined {
  for (let back = 0; back <= 7; back++) {
    const midnight = dayStart(t, -back);
    const o = windowOpeningOn(s.windows, midnight);
    if (o && o.open <= t && t < o.close && isRunDay(s, midnight.getTime() / 1000)) return o;
  }
  return undefined;
}

/** The latest run-day window that opened at or before t and was still open at or after `since`. */
function lastRunDayWindow(s: ScheduleRecord, t: number, since: number): Occurrence | undefined {
  for (let back = 0; back <= SEARCH_DAYS; back++) {
    const midnight = dayStart(t, -back);
    const m = midnight.getTime() / 1000;
    const o = windowOpeningOn(s.windows, midnight);
    if (o && o.open <= t && o.close > since && isRunDay(s, m)) return o;
    if (m + 8 * 86400 < since) return undefined;
  }
  return undefined;
}

/** The first run-day window that opens after t. */
function nextRunDayWindow(s: ScheduleRecord, t: number): Occurrence | undefined {
  const lastIncluded = s.includeDates?.length ? s.includeDates[s.includeDates.length - 1]! : '';
  for (let ahead = 0; ahead <= MAX_SEARCH_DAYS; ahead++) {
    const midnight = dayStart(t, ahead);
    const o = windowOpeningOn(s.windows, midnight);
    if (o && o.open > t && isRunDay(s, midnight.getTime() / 1000)) return o;
    if (ahead >= SEARCH_DAYS && dateOf(midnight.getTime() / 1000) > lastIncluded) return undefined;
  }
  return undefined;
}

/**
 * When a calendar schedule runs, evaluated at `now` for a client whose last successful backup of it
 * was at `lastSuccess` (0 = never). It runs once per run day, in the window that opens on that day,
 * and not again once a backup succeeded after that window opened. -cal 1: only inside that window.
 * -cal 2 (retries after the run day): a run day (since `since`, the policy's effective date) with no
 * success stays due in every later window until one succeeds. Windows opening on an exclude date
 * never run it. `notBefore`: the tries allowed in the retry period are used up until then.
 */
export function calendarTiming(s: ScheduleRecord, lastSuccess: number, now: number, since: number, notBefore = 0): Timing {
  const at = Math.max(now, notBefore);
  const allowNow = now >= notBefore;
  if (s.calendar === 2) {
    const runDay = lastRunDayWindow(s, at, since);
    if (runDay && lastSuccess < runDay.open) {
      const open = allowedWindowAt(s, at);
      const runAt = open ? at : nextAllowedOpen(s, at);
      return { dueAt: runDay.open, runAt, runnable: allowNow && open !== undefined, ...(allowNow && open ? { windowCloses: open.close } : {}) };
    }
  } else {
    const current = runDayWindowAt(s, at);
    if (current && lastSuccess < current.open) {
      return { dueAt: current.open, runAt: at, runnable: allowNow, ...(allowNow ? { windowCloses: current.close } : {}) };
    }
  }
  const next = nextRunDayWindow(s, at);
  return next ? { dueAt: next.open, runAt: next.open, runnable: false } : { dueAt: -1, runAt: undefined, runnable: false };
}
