import { calendarTiming, isRunDay, nextAllowedOpen } from '../../../src/master/nbpem/calendar.js';
import { schedulePlan } from '../../../src/master/nbpem/due.js';
import type { PolicyRecord, ScheduleRecord } from '../../../src/protocol/records.js';

const at = (y: number, mo: number, d: number, h = 0, mi = 0) => Math.floor(new Date(y, mo - 1, d, h, mi).getTime() / 1000);
const every = (start: number, duration: number) => [0, 1, 2, 3, 4, 5, 6].map((day) => ({ day, start, duration }));
const night = every(22 * 3600, 6 * 3600); // 22:00 -> 04:00 next day, every day

function cal(extra: Partial<ScheduleRecord>, calendar = 1): ScheduleRecord {
  return { name: 'monthly', type: 'FULL', retentionLevel: 1, frequencySeconds: 0, windows: night, calendar, ...extra };
}

/** The run days of a schedule in a month, as day numbers. */
function runDays(s: ScheduleRecord, y: number, mo: number): number[] {
  const out: number[] = [];
  for (let d = 1; d <= 31; d++) {
    const t = at(y, mo, d, 12);
    if (new Date(t * 1000).getMonth() === mo - 1 && isRunDay(s, t)) out.push(d);
  }
  return out;
}

describe('calendar run days', () => {
  it('day of the month: 0 is the last day, 29-31 only in months that have them', () => {
    const last = cal({ monthDays: [0] });
    expect(runDays(last, 2027, 1)).toEqual([31]);
    expect(runDays(last, 2027, 2)).toEqual([28]);
    expect(runDays(last, 2028, 2)).toEqual([29]); // leap year
    expect(runDays(last, 2027, 4)).toEqual([30]);
    const d31 = cal({ monthDays: [31, 1] });
    expect(runDays(d31, 2027, 3)).toEqual([1, 31]);
    expect(runDays(d31, 2027, 4)).toEqual([1]);
    expect(runDays(cal({ monthDays: [29] }), 2027, 2)).toEqual([]);
    expect(runDays(cal({ monthDays: [29] }), 2028, 2)).toEqual([29]);
  });

  it('specific dates, leap day included', () => {
    const s = cal({ includeDates: ['2028-02-29', '2027-12-31'] });
    expect(runDays(s, 2028, 2)).toEqual([29]);
    expect(runDays(s, 2027, 12)).toEqual([31]);
    expect(runDays(s, 2027, 11)).toEqual([]);
  });

  it('weekday of a week of the month: the nth such weekday, 5 = the last one', () => {
    // November 2026: Mondays 2, 9, 16, 23, 30. February 2027: Mondays 1, 8, 15, 22.
    expect(runDays(cal({ weekdays: [{ day: 1, week: 1 }] }), 2026, 11)).toEqual([2]);
    expect(runDays(cal({ weekdays: [{ day: 1, week: 5 }] }), 2026, 11)).toEqual([30]);
    expect(runDays(cal({ weekdays: [{ day: 1, week: 5 }] }), 2027, 2)).toEqual([22]);
    expect(runDays(cal({ weekdays: [{ day: 1, week: 4 }] }), 2027, 2)).toEqual([22]);
    // Sunday of week 1 and Saturday of week 2 in November 2026 (the 1st is a Sunday).
    expect(runDays(cal({ weekdays: [{ day: 0, week: 1 }, { day: 6, week: 2 }] }), 2026, 11)).toEqual([1, 14]);
  });

  it('an exclude date wins over every rule', () => {
    const s = cal({ monthDays: [0], weekdays: [{ day: 1, week: 5 }], includeDates: ['2026-11-30'], excludeDates: ['2026-11-30'] });
    expect(runDays(s, 2026, 11)).toEqual([]);
    expect(runDays(s, 2026, 12)).toEqual([28, 31]);
  });
});

describe('calendar timing', () => {
  // Run day: Monday 23 November 2026; the window opens 22:00 that day and closes Tuesday 04:00.
  const monday = cal({ includeDates: ['2026-11-23'] });

  it('runs in the window that opens on the run day, also after midnight', () => {
    expect(calendarTiming(monday, 0, at(2026, 11, 23, 12), 0)).toEqual({ dueAt: at(2026, 11, 23, 22), runAt: at(2026, 11, 23, 22), runnable: false });
    const evening = calendarTiming(monday, 0, at(2026, 11, 23, 23), 0);
    expect(evening).toEqual({ dueAt: at(2026, 11, 23, 22), runAt: at(2026, 11, 23, 23), runnable: true, windowCloses: at(2026, 11, 24, 4) });
    expect(calendarTiming(monday, 0, at(2026, 11, 24, 3), 0).runnable).toBe(true);
    // The window that opened on Sunday and runs into Monday belongs to Sunday.
    expect(calendarTiming(monday, 0, at(2026, 11, 23, 2), 0).runnable).toBe(false);
  });

  it('once per run day: a success in the window ends it until the next run day', () => {
    const s = cal({ weekdays: [{ day: 1, week: 4 }] }); // fourth Monday: 23 Nov, 28 Dec 2026
    const t = calendarTiming(s, at(2026, 11, 23, 22, 30), at(2026, 11, 23, 23), 0);
    expect(t).toEqual({ dueAt: at(2026, 12, 28, 22), runAt: at(2026, 12, 28, 22), runnable: false });
  });

  it('-cal 1 gives up after the run day; -cal 2 retries in later windows until a success', () => {
    const tuesdayNight = at(2026, 11, 24, 23);
    expect(calendarTiming(monday, 0, tuesdayNight, 0)).toEqual({ dueAt: -1, runAt: undefined, runnable: false });
    const retry = { ...monday, calendar: 2 };
    expect(calendarTiming(retry, 0, tuesdayNight, 0)).toEqual({ dueAt: at(2026, 11, 23, 22), runAt: tuesdayNight, runnable: true, windowCloses: at(2026, 11, 25, 4) });
    // Outside a window it waits for the next one; a success after the run day ends it.
    expect(calendarTiming(retry, 0, at(2026, 11, 24, 12), 0)).toMatchObject({ runAt: at(2026, 11, 24, 22), runnable: false });
    expect(calendarTiming(retry, at(2026, 11, 24, 23, 30), at(2026, 11, 25, 23), 0).runnable).toBe(false);
    // A run day before the policy took effect is not made up for.
    expect(calendarTiming(retry, 0, tuesdayNight, at(2026, 11, 24, 12)).runnable).toBe(false);
    // Retries never run in a window opening on an exclude date.
    const excl = { ...retry, excludeDates: ['2026-11-24'] };
    expect(calendarTiming(excl, 0, tuesdayNight, 0)).toMatchObject({ runnable: false, runAt: at(2026, 11, 25, 22) });
  });

  it('tries used up: not before the period ends', () => {
    const t = calendarTiming(cal({ includeDates: ['2026-11-23'] }, 2), 0, at(2026, 11, 23, 23), 0, at(2026, 11, 24, 1));
    expect(t).toMatchObject({ runnable: false, runAt: at(2026, 11, 24, 1) });
  });

  it('frequency schedules skip windows that open on an exclude date', () => {
    const daily: ScheduleRecord = { name: 'daily', type: 'INCR', retentionLevel: 1, frequencySeconds: 86400, windows: night, excludeDates: ['2026-12-25'] };
    expect(nextAllowedOpen(daily, at(2026, 12, 25, 12))).toBe(at(2026, 12, 26, 22));
    expect(nextAllowedOpen(daily, at(2026, 12, 25, 23))).toBe(at(2026, 12, 26, 22));
    expect(nextAllowedOpen(daily, at(2026, 12, 26, 1))).toBe(at(2026, 12, 26, 22)); // the window open at 01:00 opened on the 25th
    const policy: PolicyRecord = {
      name: 'p', policyType: 0, active: true, residence: '', pool: 'NetBackup', priority: 0, maxJobs: 0, keyword: '',
      clients: [['c1', ['Linux', 'Debian']]], include: ['/d'], schedules: [daily, cal({ includeDates: ['2026-12-25'] })], created: 0,
    };
    const plan = schedulePlan([policy], () => ({ lastSuccess: 0 }), at(2026, 12, 24, 23));
    expect(plan.map((e) => [e.schedule, e.runnable])).toEqual([['daily', true], ['monthly', false]]);
    const xmas = schedulePlan([policy], () => ({ lastSuccess: 0 }), at(2026, 12, 25, 23));
    expect(xmas.map((e) => [e.schedule, e.runnable, e.dueAt])).toEqual([['monthly', true, at(2026, 12, 25, 22)], ['daily', false, 0]]);
  });
});
