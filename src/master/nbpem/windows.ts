// Backup windows: whether one is open at a time, and when the next opens (windows may cross midnight).

import type { ScheduleWindow } from '../../protocol/records.js';

/** Local midnight of the day `daysBack` days before the day of `t` (epoch seconds). */
function midnightBefore(t: number, daysBack: number): number {
  const d = new Date(t * 1000);
  d.setHours(0, 0, 0, 0);
  d.setDate(d.getDate() - daysBack);
  return Math.floor(d.getTime() / 1000);
}

/** The occurrences of the windows that started in the 7 days up to t (and the one starting after). */
function occurrences(windows: readonly ScheduleWindow[], t: number, daysForward = 0): Array<{ open: number; close: number }> {
  const out: Array<{ open: number; close: number }> = [];
  for (let back = 7; back >= -daysForward; back--) {
    const midnight = midnightBefore(t, back);
    const weekday = new Date(midnight * 1000).getDay();
    for (const w of windows) {
      if (w.day !== weekday || w.duration <= 0) continue;
      out.push({ open: midnight + w.start, close: midnight + w.start + w.duration });
    }
  }
  return out.sort((a, b) => a.open - b.open);
}

/** The open window containing t, if any (its close time lets a queued job know when it must give up: 196). */
export function openWindowAt(windows: readonly ScheduleWindow[] | undefined, t: number): { open: number; close: number } | undefined {
  if (!windows?.length) return undefined;
  return occurrences(windows, t).find((o) => o.open <= t && t < o.close);
}

/** The first time >= t at which a window is open (t itself when one is), or undefined without windows. */
export function nextWindowOpen(windows: readonly ScheduleWindow[] | undefined, t: number): number | undefined {
  if (!windows?.length) return undefined;
  if (openWindowAt(windows, t)) return t;
  return occurrences(windows, t, 8).find((o) => o.open > t)?.open;
}
