// Calendar schedules on the command line: -cal, -incl/-excl dates, -weekday day week, -dayomonth, and their clears.

import { OpenbpError } from '../protocol/errors.js';
import type { ScheduleRecord } from '../protocol/records.js';
import { DAY_NAMES, parseDay } from './policy-windows.js';

type Weekday = { day: number; week: number };

/** The calendar options of bpplsched -add/-modify, as parsed option values. */
export interface CalendarOptions {
  cal?: unknown;
  incl?: unknown;
  excl?: unknown;
  weekday?: unknown;
  dayomonth?: unknown;
  delincl?: unknown;
  delexcl?: unknown;
  delweekday?: unknown;
  deldayomonth?: unknown;
  ci?: unknown;
  ce?: unknown;
  cw?: unknown;
  cd?: unknown;
  ut?: unknown;
}

const bad = (message: string) => new OpenbpError('INVALID_PARAMETER', message);
const pad = (n: number) => String(n).padStart(2, '0');

/** A local calendar date as stored: `YYYY-MM-DD`. */
export function isoDate(y: number, month: number, day: number): string {
  return `${String(y).padStart(4, '0')}-${pad(month)}-${pad(day)}`;
}

/** `YYYY-MM-DD` → `MM/DD/YYYY`. */
export function nbDateOf(iso: string): string {
  const [y, m, d] = iso.split('-');
  return `${m}/${d}/${y}`;
}

/** `YYYY-MM-DD` → epoch seconds of its local midnight. */
export function midnightOf(iso: string): number {
  const [y, m, d] = iso.split('-').map(Number);
  return Math.floor(new Date(y!, m! - 1, d!).getTime() / 1000);
}

/** `mm/dd/yyyy` (or, with -ut, epoch seconds) → `YYYY-MM-DD`; 20 for anything else or a day that does not exist. */
export function parseCalendarDate(text: string, what: string, unixTime = false): string {
  if (unixTime) {
    if (!/^\d{1,12}$/.test(text)) throw bad(`${what}: '${text}' is not a UNIX time (-ut)`);
    const d = new Date(Number(text) * 1000);
    return isoDate(d.getFullYear(), d.getMonth() + 1, d.getDate());
  }
  const m = /^(\d{1,2})\/(\d{1,2})\/(\d{4})$/.exec(text);
  if (!m) throw bad(`${what}: '${text}' is not a date of the form mm/dd/yyyy`);
  const [month, day, year] = [Number(m[1]), Number(m[2]), Number(m[3])];
  const d = new Date(year, month - 1, day);
  if (month < 1 || month > 12 || day < 1 || d.getFullYear() !== year || d.getMonth() !== month - 1 || d.getDate() !== day) {
    throw bad(`${what}: '${text}' is not a day of the calendar`);
  }
  return isoDate(year, month, day);
}

/** Option values as a list of words (list options arrive as arrays of space-joined words). */
function words(v: unknown): string[] {
  if (v === undefined) return [];
  return (Array.isArray(v) ? v : [v]).flatMap((x) => String(x).trim().split(/\s+/)).filter((w) => w !== '');
}

/** A weekday by name (sunday..saturday, sun..sat) or NetBackup number (1 = Sunday .. 7 = Saturday) → 0..6. */
function weekdayOf(text: string, what: string): number {
  if (/^\d+$/.test(text)) {
    const n = Number(text);
    if (n >= 1 && n <= 7) return n - 1;
  } else {
    const d = parseDay(text);
    if (d !== undefined) return d;
  }
  throw bad(`${what}: '${text}' is not a day of the week (Sunday..Saturday or 1..7, 1 = Sunday)`);
}

/** `-weekday day week [day week]...` → pairs; 20 for an odd count, a bad day or a week outside 1-5. */
export function parseWeekdays(v: unknown, what: string): Weekday[] {
  const w = words(v);
  if (w.length % 2 !== 0) throw bad(`${what}: give a day and a week number (1-5) for each day, e.g. ${what} Monday 1`);
  const out: Weekday[] = [];
  for (let i = 0; i < w.length; i += 2) {
    const day = weekdayOf(w[i]!, what);
    const week = /^\d+$/.test(w[i + 1]!) ? Number(w[i + 1]) : NaN;
    if (!(week >= 1 && week <= 5)) throw bad(`${what}: week '${w[i + 1]}' is not 1-5 (5 = the last week of the month)`);
    out.push({ day, week });
  }
  return out;
}

/** `-dayomonth value...` → days 1-31, 0 (or l) = the last day of the month. */
export function parseMonthDays(v: unknown, what: string): number[] {
  return words(v).map((t) => {
    if (/^l$/i.test(t)) return 0;
    const n = /^\d+$/.test(t) ? Number(t) : NaN;
    if (!(n >= 0 && n <= 31)) throw bad(`${what}: '${t}' is not a day of the month (1-31, 0 or l = the last day)`);
    return n;
  });
}

const sortedUnique = <T>(items: readonly T[], key: (t: T) => string | number): T[] => {
  const byKey = new Map<string | number, T>();
  for (const t of items) byKey.set(key(t), t);
  return [...byKey.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([, t]) => t);
};
const weekdayKey = (w: Weekday) => w.week * 10 + w.day;

/** Removes `gone` from `list`; 20 when one of them is not there. */
function without<T>(list: readonly T[], gone: readonly T[], key: (t: T) => string | number, what: string, show: (t: T) => string): T[] {
  const missing = gone.find((g) => !list.some((x) => key(x) === key(g)));
  if (missing !== undefined) throw bad(`${what}: ${show(missing)} is not in the schedule`);
  return list.filter((x) => !gone.some((g) => key(g) === key(x)));
}

/**
 * The schedule with the calendar options applied (validated whole before anything is stored; 20 on
 * malformed input). `-cal 0` makes it frequency-based and drops its run days (exclude dates stay: they
 * apply to frequency-based schedules too). Run days (-incl, -weekday, -dayomonth) need -cal 1 or 2;
 * user schedules (UBAK, UARC) cannot be calendar-based.
 */
export function applyCalendar(old: ScheduleRecord, o: CalendarOptions): ScheduleRecord {
  const s: ScheduleRecord = { ...old };
  const ut = o.ut === true;
  if (o.cal !== undefined) {
    const cal = String(o.cal);
    if (!/^[012]$/.test(cal)) throw bad(`-cal: '${cal}' is not 0 (frequency-based), 1 (calendar, no retries after the run day) or 2 (calendar, retries after the run day)`);
    if (cal === '0') {
      delete s.calendar;
      delete s.includeDates;
      delete s.weekdays;
      delete s.monthDays;
    } else s.calendar = Number(cal);
  }
  const dates = (v: unknown, what: string) => words(v).map((t) => parseCalendarDate(t, what, ut));
  let incl = [...(s.includeDates ?? [])];
  let excl = [...(s.excludeDates ?? [])];
  let weekdays = [...(s.weekdays ?? [])];
  let monthDays = [...(s.monthDays ?? [])];
  if (o.ci === true) incl = [];
  if (o.ce === true) excl = [];
  if (o.cw === true) weekdays = [];
  if (o.cd === true) monthDays = [];
  const id = <T>(x: T) => x as unknown as string | number;
  incl = without(incl, dates(o.delincl, '-delincl'), id, '-delincl', nbDateOf);
  excl = without(excl, dates(o.delexcl, '-delexcl'), id, '-delexcl', nbDateOf);
  weekdays = without(weekdays, parseWeekdays(o.delweekday, '-delweekday'), weekdayKey, '-delweekday', (w) => `${DAY_NAMES[w.day]} week ${w.week}`);
  monthDays = without(monthDays, parseMonthDays(o.deldayomonth, '-deldayomonth'), id, '-deldayomonth', String);
  incl = sortedUnique([...incl, ...dates(o.incl, '-incl')], id);
  excl = sortedUnique([...excl, ...dates(o.excl, '-excl')], id);
  weekdays = sortedUnique([...weekdays, ...parseWeekdays(o.weekday, '-weekday')], weekdayKey);
  monthDays = sortedUnique([...monthDays, ...parseMonthDays(o.dayomonth, '-dayomonth')], (n) => (n === 0 ? 32 : n));
  const calendar = (s.calendar ?? 0) > 0;
  if (!calendar && (incl.length || weekdays.length || monthDays.length)) {
    const flag = incl.length ? '-incl' : weekdays.length ? '-weekday' : '-dayomonth';
    throw bad(`${flag}: run days need a calendar-based schedule (-cal 1 or -cal 2)`);
  }
  if (calendar && (s.type === 'UBAK' || s.type === 'UARC')) throw bad(`-cal: a ${s.type} schedule cannot be calendar-based`);
  const set = <K extends 'includeDates' | 'excludeDates' | 'weekdays' | 'monthDays'>(k: K, v: NonNullable<ScheduleRecord[K]>) => {
    if ((v as unknown[]).length) s[k] = v;
    else delete s[k];
  };
  set('includeDates', incl);
  set('excludeDates', excl);
  set('weekdays', weekdays);
  set('monthDays', monthDays);
  return s;
}

/** `Monday, Week 1`. */
export function weekdayText(w: Weekday): string {
  return `${DAY_NAMES[w.day]}, Week ${w.week}`;
}

/** `Day 15 of month`, `Last day of month`. */
export function monthDayText(n: number): string {
  return n === 0 ? 'Last day of month' : `Day ${n} of month`;
}
