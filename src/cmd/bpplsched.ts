// bpplsched: list, add, modify or delete the schedules of a policy (type, frequency, retention, windows).

import { defineCommand, type ParsedOptions } from '../cli/command.js';
import { checkName, intIn, loadPolicy, pickAction, savePolicy } from '../cli/policy-edit.js';
import { mergeWindows, parseWindows } from '../cli/policy-windows.js';
import { applyCalendar, type CalendarOptions } from '../cli/policy-calendar.js';
import { scheduleHumanLines, scheduleLongLines, scheduleRaw } from '../cli/reports/policies.js';
import { OpenbpError } from '../protocol/errors.js';
import { SCHED_TYPES, type SchedType, type ScheduleRecord } from '../protocol/records.js';
import { MAX_RETENTION_LEVEL } from '../protocol/retention.js';

const WEEK = 7 * 86400;

/** Frequency a new schedule gets when -freq is not given. */
function defaultFrequency(type: SchedType): number {
  return type === 'FULL' ? WEEK : type === 'INCR' || type === 'CINC' ? 86400 : 0;
}

function parseType(v: unknown): SchedType | undefined {
  if (v === undefined) return undefined;
  const t = String(v).toUpperCase();
  if (!(t in SCHED_TYPES)) throw new OpenbpError('INVALID_PARAMETER', `-st: '${String(v)}' is not FULL, INCR, CINC, UBAK or UARC`);
  return t as SchedType;
}

const CALENDAR_KEYS = ['cal', 'incl', 'excl', 'weekday', 'dayomonth', 'delincl', 'delexcl', 'delweekday', 'deldayomonth', 'ci', 'ce', 'cw', 'cd', 'ut'] as const;
const DATE_WORD = /^(\d{1,2}\/\d{1,2}\/\d{4}|\d{9,12})$/;
const WEEKDAY_WORD = /^(\d{1,2}|(sun|mon|tue|wed|thu|fri|sat)[a-z]*)$/i;
const MONTHDAY_WORD = /^(\d{1,2}|l)$/i;

function calendarOptions(opts: ParsedOptions): CalendarOptions {
  return Object.fromEntries(CALENDAR_KEYS.map((k) => [k, opts[k]])) as CalendarOptions;
}

/** The schedule attributes given on the command line, validated; windows paired with the positional words. */
function scheduleChanges(opts: ParsedOptions, words: string[]) {
  const windowValues = (opts.window as string[] | undefined) ?? [];
  return {
    type: parseType(opts.st),
    frequencySeconds: intIn(opts.freq, 0, 10 * 365 * 86400, '-freq'),
    retentionLevel: intIn(opts.rl, 0, MAX_RETENTION_LEVEL, '-rl'),
    maxMpx: intIn(opts.mpxmax, 1, 32, '-mpxmax'),
    windows: windowValues.length > 0 || words.length > 0 ? parseWindows(windowValues, words) : undefined,
  };
}

export const command = defineCommand({
  name: 'bpplsched',
  summary: 'list, add, modify or delete the schedules of a policy',
  args: '<policy> [words...]',
  options: [
    { flag: '-add', key: 'add', kind: 'string', arg: 'sched_label', help: 'add a schedule' },
    { flag: '-modify', key: 'modify', kind: 'string', arg: 'sched_label', help: 'change a schedule (only the attributes given)' },
    { flag: '-delete', key: 'delete', kind: 'string', arg: 'sched_label [sched_label...]', help: 'delete schedules' },
    { flag: '-st', key: 'st', kind: 'string', arg: 'FULL|INCR|CINC|UBAK|UARC', help: 'schedule type (default FULL)' },
    { flag: '-freq', key: 'freq', kind: 'int', arg: 'seconds', help: 'frequency in seconds (default: FULL 1 week, INCR/CINC 1 day, UBAK/UARC 0)' },
    { flag: '-rl', key: 'rl', kind: 'int', arg: 'retention_level', help: `retention level 0-${MAX_RETENTION_LEVEL} (default 1, 2 weeks; see bpretlevel)` },
    { flag: '-mpxmax', key: 'mpxmax', kind: 'int', arg: 'mpx_factor', help: 'maximum multiplexing, 1-32 (default 1)' },
    { flag: '-window', key: 'window', kind: 'list', arg: '[day] start duration', help: 'backup window in seconds, every day or one day (repeatable; duration 0 closes it)' },
    { flag: '-cal', key: 'cal', kind: 'string', arg: '0|1|2', help: '0 frequency-based; 1 calendar-based, no retries after the run day; 2 calendar-based, retries allowed after the run day' },
    { flag: '-incl', key: 'incl', kind: 'list', arg: 'mm/dd/yyyy', help: 'a run day of a calendar schedule (repeatable)', absorb: DATE_WORD },
    { flag: '-excl', key: 'excl', kind: 'list', arg: 'mm/dd/yyyy', help: 'a day the schedule never runs (repeatable; frequency-based schedules too)', absorb: DATE_WORD },
    { flag: '-weekday', key: 'weekday', kind: 'list', arg: 'day week [day week]...', help: 'run on this weekday (Sunday..Saturday or 1..7, 1 = Sunday) of week 1-5 of every month (5 = the last)', absorb: WEEKDAY_WORD },
    { flag: '-dayomonth', key: 'dayomonth', kind: 'list', arg: 'day [day]...', help: 'run on this day of every month (1-31; 0 or l = the last day)', absorb: MONTHDAY_WORD },
    { flag: '-delincl', key: 'delincl', kind: 'list', arg: 'mm/dd/yyyy', help: 'with -modify: remove an include date', absorb: DATE_WORD },
    { flag: '-delexcl', key: 'delexcl', kind: 'list', arg: 'mm/dd/yyyy', help: 'with -modify: remove an exclude date', absorb: DATE_WORD },
    { flag: '-delweekday', key: 'delweekday', kind: 'list', arg: 'day week', help: 'with -modify: remove a weekday run day', absorb: WEEKDAY_WORD },
    { flag: '-deldayomonth', key: 'deldayomonth', kind: 'list', arg: 'day', help: 'with -modify: remove a day-of-month run day', absorb: MONTHDAY_WORD },
    { flag: '-ci', key: 'ci', kind: 'flag', help: 'clear the include dates' },
    { flag: '-ce', key: 'ce', kind: 'flag', help: 'clear the exclude dates' },
    { flag: '-cw', key: 'cw', kind: 'flag', help: 'clear the weekday run days' },
    { flag: '-cd', key: 'cd', kind: 'flag', help: 'clear the day-of-month run days' },
    { flag: '-ut', key: 'ut', kind: 'flag', help: 'dates of -incl/-excl/-delincl/-delexcl are UNIX times' },
    { flag: '-label', key: 'label', kind: 'string', arg: 'sched_label', help: 'with -L, -l or -U: only this schedule' },
    { flag: '-L', key: 'listLong', kind: 'flag', help: 'list the schedules, long form (default)' },
    { flag: '-l', key: 'listRaw', kind: 'flag', help: 'list the schedules as raw SCHED records' },
    { flag: '-U', key: 'listHuman', kind: 'flag', help: 'list the schedules as bppllist -U does' },
    { flag: '-M', key: 'master', kind: 'string', arg: 'master', help: 'master server (this host only)' },
  ],
  epilog:
    'Windows: -window 64800 43200 opens 18:00 for 12 hours every day; -window sunday 0 86400 opens all of Sunday.\n' +
    'Calendar: -cal 1 -weekday Monday 1 -dayomonth 0 -incl 12/31/2026 -excl 12/25/2026 runs on the first Monday, the last day\n' +
    'of each month and New Year\'s Eve, never on Christmas Day, in the window that opens that day.\n' +
    'Exit status: 0; 230 unknown policy; 197 unknown schedule; 133 schedule already exists; 20 bad option, window or date.',
  async run(ctx, opts, args) {
    const [name, ...words] = args;
    if (name === undefined) throw new OpenbpError('INVALID_PARAMETER', 'give a policy name');
    const action = pickAction(opts, { add: '-add', modify: '-modify', delete: '-delete', listLong: '-L', listRaw: '-l', listHuman: '-U' }) ?? 'listLong';
    if (action === 'delete') {
      const names = [String(opts.delete), ...words];
      const policy = await loadPolicy(ctx.home, name);
      const missing = names.find((n) => !policy.schedules.some((s) => s.name === n));
      if (missing !== undefined) throw new OpenbpError('NO_SUCH_SCHEDULE', `schedule ${missing} does not exist in policy ${policy.name}`);
      await savePolicy(ctx.home, { ...policy, schedules: policy.schedules.filter((s) => !names.includes(s.name)) });
      return { status: 0 };
    }
    if (action === 'add' || action === 'modify') {
      const label = checkName(String(opts[action]), 'schedule');
      const change = scheduleChanges(opts, words);
      const policy = await loadPolicy(ctx.home, name);
      const i = policy.schedules.findIndex((s) => s.name === label);
      let sched: ScheduleRecord;
      if (action === 'add') {
        if (i >= 0) throw new OpenbpError('INVALID_REQUEST', `schedule ${label} already exists in policy ${policy.name}`);
        const type = change.type ?? 'FULL';
        sched = { name: label, type, retentionLevel: change.retentionLevel ?? 1, frequencySeconds: change.frequencySeconds ?? defaultFrequency(type) };
        if (change.maxMpx !== undefined) sched.maxMpx = change.maxMpx;
        if (change.windows) sched.windows = mergeWindows([], change.windows);
        sched = applyCalendar(sched, calendarOptions(opts));
      } else {
        if (i < 0) throw new OpenbpError('NO_SUCH_SCHEDULE', `schedule ${label} does not exist in policy ${policy.name}`);
        const old = policy.schedules[i]!;
        sched = { ...old };
        if (change.type !== undefined) sched.type = change.type;
        if (change.frequencySeconds !== undefined) sched.frequencySeconds = change.frequencySeconds;
        if (change.retentionLevel !== undefined) sched.retentionLevel = change.retentionLevel;
        if (change.maxMpx !== undefined) sched.maxMpx = change.maxMpx;
        if (change.windows) sched.windows = mergeWindows(old.windows ?? [], change.windows);
        sched = applyCalendar(sched, calendarOptions(opts));
      }
      const schedules = [...policy.schedules];
      if (i >= 0) schedules[i] = sched;
      else schedules.push(sched);
      await savePolicy(ctx.home, { ...policy, schedules });
      return { status: 0, json: { schedule: sched } };
    }
    const attrs = ['st', 'freq', 'rl', 'mpxmax', 'window'];
    const stray = attrs.find((k) => opts[k] !== undefined) ?? CALENDAR_KEYS.find((k) => opts[k] !== undefined);
    if (stray || words.length > 0) throw new OpenbpError('INVALID_PARAMETER', stray ? `-${stray} needs -add or -modify` : `unexpected argument '${words[0]}'`);
    const policy = await loadPolicy(ctx.home, name);
    let schedules = policy.schedules;
    if (opts.label !== undefined) {
      schedules = schedules.filter((s) => s.name === opts.label);
      if (schedules.length === 0) throw new OpenbpError('NO_SUCH_SCHEDULE', `schedule ${String(opts.label)} does not exist in policy ${policy.name}`);
    }
    const lines = action === 'listRaw' ? schedules.flatMap(scheduleRaw)
      : action === 'listHuman' ? schedules.flatMap((s, k) => [...(k > 0 ? [''] : []), ...scheduleHumanLines(s)])
      : schedules.flatMap(scheduleLongLines);
    return { status: 0, stdout: lines.length ? lines.join('\n') + '\n' : '', json: { schedules } };
  },
});
