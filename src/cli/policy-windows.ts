// Schedule backup windows on the command line: `-window [day] start duration`, one window per weekday.

import { OpenbpError } from '../protocol/errors.js';
import type { ScheduleWindow } from '../protocol/records.js';

export const DAY_NAMES = ['Sunday', 'Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday'] as const;
const DAY = 86400;
const WEEK = 7 * DAY;

/** A weekday name or its first three letters, any case; undefined otherwise. */
export function parseDay(text: string): number | undefined {
  const t = text.toLowerCase();
  const i = DAY_NAMES.findIndex((d) => d.toLowerCase() === t || d.slice(0, 3).toLowerCase() === t);
  return i < 0 ? undefined : i;
}

/** Seconds, or hh:mm[:ss]. */
function parseSeconds(text: string | undefined, what: string): number {
  if (text === undefined) throw new OpenbpError('INVALID_PARAMETER', `-window: ${what} is missing (-window [day] start duration)`);
  let m: RegExpExecArray | null;
  if (/^\d{1,7}$/.test(text)) return Number(text);
  if ((m = /^(\d{1,3}):(\d{2})(?::(\d{2}))?$/.exec(text)) && Number(m[2]) < 60 && Number(m[3] ?? 0) < 60) {
    return Number(m[1]) * 3600 + Number(m[2]) * 60 + Number(m[3] ?? 0);
  }
  throw new OpenbpError('INVALID_PARAMETER', `-window: ${what} '${text}' is not seconds or hh:mm:ss`);
}

/**
 * Pairs the -window values with the positional words that follow them, in order: `-window start duration`
 * opens the same window every day, `-window day start duration` one day. A duration of 0 closes the day.
 * Returns per-day windows (duration 0 included, so the caller can remove days); 20 on anything malformed.
 */
export function parseWindows(values: readonly string[], words: readonly string[]): ScheduleWindow[] {
  const rest = [...words];
  const out = new Map<number, ScheduleWindow>();
  for (const v of values) {
    const day = parseDay(v);
    const startText = day === undefined ? v : rest.shift();
    const start = parseSeconds(startText, 'start');
    const duration = parseSeconds(rest.shift(), 'duration');
    if (start >= DAY) throw new OpenbpError('INVALID_PARAMETER', `-window: start ${start} is not within a day (0-86399 seconds)`);
    if (duration > WEEK) throw new OpenbpError('INVALID_PARAMETER', `-window: duration ${duration} is longer than a week`);
    for (const d of day === undefined ? [0, 1, 2, 3, 4, 5, 6] : [day]) out.set(d, { day: d, start, duration });
  }
  if (rest.length > 0) throw new OpenbpError('INVALID_PARAMETER', `unexpected argument '${rest[0]}' (windows are -window [day] start duration)`);
  return [...out.values()];
}

/** The old windows with the given days replaced; days given with duration 0 are removed. Sorted by day. */
export function mergeWindows(old: readonly ScheduleWindow[], changes: readonly ScheduleWindow[]): ScheduleWindow[] {
  const byDay = new Map<number, ScheduleWindow>(old.map((w) => [w.day, w]));
  for (const c of changes) {
    if (c.duration === 0) byDay.delete(c.day);
    else byDay.set(c.day, c);
  }
  return [...byDay.values()].sort((a, b) => a.day - b.day);
}

const pad = (n: number) => String(n).padStart(2, '0');
export function clock(seconds: number): string {
  const s = seconds % DAY;
  return `${pad(Math.floor(s / 3600))}:${pad(Math.floor((s % 3600) / 60))}:${pad(s % 60)}`;
}

/** Where a window closes: weekday and second of that day. */
export function windowEnd(w: ScheduleWindow): { day: number; time: number } {
  const end = w.start + w.duration;
  return { day: (w.day + Math.floor(end / DAY)) % 7, time: end % DAY };
}
