// Policy layouts: bppllist / bpplinfo / bpplsched / bpplclients / bpplinclude in -U (human), -L (long) and -l (raw records).

import type { PolicyRecord, ScheduleRecord } from '../../protocol/records.js';
import { SCHED_TYPES } from '../../protocol/records.js';
import { retentionPeriodName } from '../../protocol/retention.js';
import { formatNbDateTime } from '../dates.js';
import { policyTypeName } from '../policy-edit.js';
import { clock, DAY_NAMES, windowEnd } from '../policy-windows.js';
import { midnightOf, monthDayText, nbDateOf, weekdayText } from '../policy-calendar.js';

const yn = (b: boolean | undefined) => (b ? 'yes' : 'no');
const b01 = (b: boolean | undefined) => (b ? 1 : 0);
const NO_STU = '(specific storage unit not required)';
const nullIfEmpty = (s: string) => (s === '' ? '*NULL*' : s);
const nulls = (n: number) => Array.from({ length: n }, () => '*NULL*').join(' ');
const zeros = (n: number) => Array.from({ length: n }, () => '0').join(' ');

/** "every 7 days", "every 12 hours", "every 600 seconds". */
export function frequencyText(seconds: number): string {
  if (seconds % 86400 === 0) return `every ${seconds / 86400} day${seconds === 86400 ? '' : 's'}`;
  if (seconds % 3600 === 0) return `every ${seconds / 3600} hour${seconds === 3600 ? '' : 's'}`;
  if (seconds % 60 === 0) return `every ${seconds / 60} minute${seconds === 60 ? '' : 's'}`;
  return `every ${seconds} second${seconds === 1 ? '' : 's'}`;
}

// ---- -U (human), NB4D verbatim down to "Use Accelerator"; the populated tail follows the [M] reference layout.

/** The attribute lines bpplinfo -U prints and bppllist -U starts with (Policy Type .. Keyword). */
export function policyInfoLines(p: PolicyRecord): string[] {
  const pad = (k: string) => `  ${k}:`.padEnd(23);
  return [
    `${pad('Policy Type')}${policyTypeName(p.policyType)}`,
    `${pad('Active')}${yn(p.active)}`,
    `${pad('Effective date')}${formatNbDateTime(p.created)}`,
    `${pad('Client Compress')}${yn(p.compress)}`,
    `${pad('Follow NFS Mounts')}no`,
    `${pad('Cross Mount Points')}no`,
    `${pad('Collect TIR info')}no`,
    `${pad('Block Incremental')}no`,
    `${pad('Mult. Data Streams')}${yn(p.multipleStreams)}`,
    `${pad('Client Encrypt')}${yn(p.encrypt)}`,
    `${pad('Checkpoint')}${yn(p.checkpoint)}`,
    `${pad('Policy Priority')}${p.priority}`,
    `${pad('Max Jobs/Policy')}${p.maxJobs === 0 ? 'Unlimited' : p.maxJobs}`,
    `${pad('Disaster Recovery')}0`,
    `${pad('Collect BMR info')}no`,
    `${pad('Residence')}${p.residence === '' ? NO_STU : p.residence}`,
    `${pad('Volume Pool')}${p.pool}`,
    `${pad('Server Group')}*ANY*`,
    `${pad('Keyword')}${p.keyword === '' ? '(none specified)' : p.keyword}`,
  ];
}

/** bpplclients' table (also -allunique -U): the client name starts at column 45. */
export function clientsTable(clients: PolicyRecord['clients']): string {
  const lines = [
    `${'Hardware'.padEnd(17)}${'OS'.padEnd(27)}Client`,
    `${'-'.repeat(15)}  ${'-'.repeat(25)}  ${'-'.repeat(14)}`,
    ...clients.map(([name, [hw, os]]) => `${hw.padEnd(15)}  ${os.padEnd(25)}  ${name}`),
  ];
  return lines.join('\n') + '\n';
}

function windowLines(s: ScheduleRecord, indent: string): string[] {
  return (s.windows ?? []).map((w) => {
    const e = windowEnd(w);
    return `${indent}${DAY_NAMES[w.day]!.padEnd(11)}${clock(w.start)}  -->  ${DAY_NAMES[e.day]!.padEnd(11)}${clock(e.time)}`;
  });
}

const isCalendar = (s: ScheduleRecord) => (s.calendar ?? 0) > 0;

/** -U: a calendar schedule's run days and exclusions, or a frequency schedule's exclude dates [M: layout from memory]. */
function calendarHumanLines(s: ScheduleRecord): string[] {
  const excluded = [
    ...(s.excludeDates?.length ? s.excludeDates.map((d) => `        ${nbDateOf(d)}`) : ['        No specific exclude dates entered']),
    '        No exclude days of week entered',
    '        No exclude days of month entered',
  ];
  if (!isCalendar(s)) return s.excludeDates?.length ? ['      Excluded Dates----------', ...excluded] : [];
  const included = [
    ...(s.includeDates ?? []).map((d) => `        ${nbDateOf(d)}`),
    ...(s.weekdays ?? []).map((w) => `        ${weekdayText(w)}`),
    ...(s.monthDays ?? []).map((n) => `        ${monthDayText(n)}`),
  ];
  return [
    '    Calendar sched: Enabled',
    ...(s.calendar === 2 ? ['      Allowed to retry after run day'] : []),
    '      Included Dates-----------',
    ...(included.length ? included : ['        No specific include dates entered']),
    '      Excluded Dates----------',
    ...excluded,
  ];
}

/** One schedule block as bppllist -U and bpplsched -U print it. */
export function scheduleHumanLines(s: ScheduleRecord): string[] {
  const pad = (k: string) => `    ${k}:`.padEnd(25);
  return [
    `  Schedule:              ${s.name}`,
    `${pad('Type')}${SCHED_TYPES[s.type].name}`,
    ...(s.frequencySeconds > 0 && !isCalendar(s) ? [`${pad('Frequency')}${frequencyText(s.frequencySeconds)}`] : []),
    ...calendarHumanLines(s),
    `${pad('Maximum MPX')}${s.maxMpx ?? 1}`,
    `${pad('Synthetic')}0`,
    `    Checksum Change Detection: 0`,
    `${pad('PFI Recovery')}0`,
    `${pad('Retention Level')}${s.retentionLevel} (${retentionPeriodName(s.retentionLevel)})`,
    `${pad('Number Copies')}1`,
    `${pad('Fail on Error')}0`,
    `${pad('Residence')}${NO_STU}`,
    `${pad('Volume Pool')}(same as policy volume pool)`,
    `${pad('Server Group')}(same as specified for policy)`,
    `    Residence is Storage Lifecycle Policy:         0`,
    `    Daily Windows:`,
    ...windowLines(s, '          '),
  ];
}

/** bppllist -U: one policy block. */
export function policyHuman(p: PolicyRecord): string {
  const lines = [
    '-'.repeat(60),
    '',
    `Policy Name:       ${p.name}`,
    '',
    ...policyInfoLines(p),
    '  Data Classification:       -',
    '  Residence is Storage Lifecycle Policy:    no',
    '  Application Discovery:      no',
    '  Discovery Lifetime:      0 seconds',
    '  ASC Application and attributes: (none defined)',
    '',
    '  Granular Restore Info:  no',
    '  Ignore Client Direct:  no',
    '  Use Accelerator:  no',
    '',
  ];
  if (p.clients.length === 0) lines.push('  Clients:\t(none defined)');
  else {
    p.clients.forEach(([name, [hw, os]], i) => lines.push(`${i === 0 ? '  HW/OS/Client:  ' : ' '.repeat(17)}${hw.padEnd(14)}${os.padEnd(14)}${name}`));
  }
  lines.push('');
  if (p.include.length === 0) lines.push('  Include:\t(none defined)');
  else p.include.forEach((f, i) => lines.push(`${i === 0 ? '  Include:  ' : ' '.repeat(12)}${f}`));
  lines.push('');
  if (p.schedules.length === 0) lines.push('  Schedule:\t(none defined)');
  else p.schedules.forEach((s, i) => lines.push(...(i > 0 ? [''] : []), ...scheduleHumanLines(s)));
  return lines.join('\n') + '\n';
}

// ---- -L (long): one "Label: value" per line, as NetBackup's bppllist -L [M: layout from memory].

export function policyInfoLongLines(p: PolicyRecord): string[] {
  const pad = (k: string) => `${k}:`.padEnd(19);
  return [
    `${pad('Policy Type')}${policyTypeName(p.policyType)} (${p.policyType})`,
    `${pad('Active')}${yn(p.active)}`,
    `${pad('Effective')}${formatNbDateTime(p.created)}`,
    `${pad('Compression')}${yn(p.compress)}`,
    `${pad('Encryption')}${yn(p.encrypt)}`,
    `${pad('Checkpoint')}${yn(p.checkpoint)}`,
    `${pad('Mult. Data Stream')}${yn(p.multipleStreams)}`,
    `${pad('Policy Priority')}${p.priority}`,
    `${pad('Max Jobs/Policy')}${p.maxJobs === 0 ? 'Unlimited' : p.maxJobs}`,
    `${pad('Keyword')}${p.keyword === '' ? '(none specified)' : p.keyword}`,
    `${pad('Residence')}${p.residence === '' ? '-' : p.residence}`,
    `${pad('Volume Pool')}${p.pool}`,
    `${pad('Server Group')}*ANY*`,
  ];
}

/** -L: `Calendar sched: Enabled` and one numbered line per run day [M: layout from memory]. */
function calendarLongLines(s: ScheduleRecord): string[] {
  return [
    '  Calendar sched: Enabled',
    ...(s.calendar === 2 ? ['   Allowed to retry after run day'] : []),
    ...(s.includeDates ?? []).map((d, i) => `   SPECIFIC DATE ${i} - ${nbDateOf(d)}`),
    ...(s.weekdays ?? []).map((w, i) => `   WEEK DAY ${i} - ${weekdayText(w)}`),
    ...(s.monthDays ?? []).map((n, i) => `   MONTH DAY ${i} - ${n === 0 ? 'Last Day' : n}`),
  ];
}

export function scheduleLongLines(s: ScheduleRecord): string[] {
  const pad = (k: string) => `  ${k}:`.padEnd(19);
  const lines = [
    `${'Schedule:'.padEnd(19)}${s.name}`,
    `${pad('Type')}${s.type} (${SCHED_TYPES[s.type].code})`,
    ...(isCalendar(s) ? calendarLongLines(s) : [`${pad('Frequency')}${s.frequencySeconds > 0 ? `${frequencyText(s.frequencySeconds)} (${s.frequencySeconds} seconds)` : '0 (none)'}`]),
    ...(s.excludeDates ?? []).map((d, i) => `   EXCLUDE DATE ${i} - ${nbDateOf(d)}`),
    `${pad('Maximum MPX')}${s.maxMpx ?? 1}`,
    `${pad('Retention Level')}${s.retentionLevel} (${retentionPeriodName(s.retentionLevel)})`,
    `  Daily Windows:`,
  ];
  if (!s.windows?.length) lines.push('      (none defined)');
  else lines.push(...windowLines(s, '      '));
  return lines;
}

/** bppllist -L: one policy. */
export function policyLong(p: PolicyRecord): string {
  const lines = [`${'Policy Name:'.padEnd(19)}${p.name}`, ...policyInfoLongLines(p)];
  if (p.clients.length === 0) lines.push(`${'Client/HW/OS:'.padEnd(19)}(none defined)`);
  for (const [name, [hw, os]] of p.clients) lines.push(`${'Client/HW/OS:'.padEnd(19)}${name} ${hw} ${os}`);
  if (p.include.length === 0) lines.push(`${'Include:'.padEnd(19)}(none defined)`);
  for (const f of p.include) lines.push(`${'Include:'.padEnd(19)}${f}`);
  if (p.schedules.length === 0) lines.push(`${'Schedule:'.padEnd(19)}(none defined)`);
  for (const s of p.schedules) lines.push(...scheduleLongLines(s));
  return lines.join('\n') + '\n';
}

// ---- -l (raw records, TECH42917 field order; fields openbp does not model are 0 or *NULL*).

export function infoRecord(p: PolicyRecord): string {
  // client_type follow_nfs compress priority proxy_client encrypt dr max_jobs cross_mnt max_frag active(0 = active) tir block_incr
  // ext_sec ifrfr streaming frozen_image backup_copy effective class_id copies checkpoint chkpt_intrvl unused pfi offhost alt_client data_mover dm_type
  return [
    'INFO', p.policyType, 0, b01(p.compress), p.priority, '*NULL*', b01(p.encrypt), 0, p.maxJobs === 0 ? 2147483647 : p.maxJobs, 0, 0, p.active ? 0 : 1, 0, 0,
    0, 0, b01(p.multipleStreams), 0, 0, p.created, '*NULL*', 1, b01(p.checkpoint), 15, 0, 0, 0, 0, 0, -1,
  ].join(' ');
}

/** The policy-level records bpplinfo -l prints. */
export function policyInfoRaw(p: PolicyRecord): string[] {
  return [
    `CLASS ${p.name} *NULL* 0 0 0 *NULL*`,
    'NAMES ',
    infoRecord(p),
    `KEY ${nullIfEmpty(p.keyword)}`,
    'BCMD ',
    'RCMD ',
    `RES ${nullIfEmpty(p.residence)} ${nulls(9)}`,
    `POOL ${nullIfEmpty(p.pool)} ${nulls(9)}`,
    `FOE ${zeros(10)}`,
  ];
}

export function clientRecord([name, [hw, os]]: PolicyRecord['clients'][number]): string {
  return `CLIENT ${name} ${hw} ${os} 0 0 0 0 ?`;
}

/** SCHED and its SCHED* records; SCHEDWIN has seven start/duration pairs, Sunday first. */
export function scheduleRaw(s: ScheduleRecord): string[] {
  const win: number[] = [];
  for (let d = 0; d < 7; d++) {
    const w = s.windows?.find((x) => x.day === d);
    win.push(w?.start ?? 0, w?.duration ?? 0);
  }
  return [
    `SCHED ${s.name} ${SCHED_TYPES[s.type].code} ${s.maxMpx ?? 1} ${s.frequencySeconds} ${s.retentionLevel} 0 0 0 *NULL* 0 0 0 0 0 0 -1 0 0`,
    `SCHEDWIN ${win.join(' ')}`,
    `SCHEDRES ${nulls(10)}`,
    `SCHEDPOOL ${nulls(10)}`,
    `SCHEDRL ${s.retentionLevel} ${Array.from({ length: 9 }, () => '1').join(' ')}`,
    `SCHEDFOE ${zeros(10)}`,
    ...calendarRaw(s),
  ];
}

/**
 * Calendar records after SCHEDFOE, only when the schedule has them: SCHEDCALENDAR (1 or 2),
 * SCHEDCALIDATES / SCHEDCALEDATES (local midnights, epoch seconds), SCHEDCALDAYOWEEK (day,week pairs,
 * 1 = Sunday; week 5 = the last), SCHEDCALDAYOMONTH (0 = the last day).
 */
function calendarRaw(s: ScheduleRecord): string[] {
  const out: string[] = [];
  if (isCalendar(s)) out.push(`SCHEDCALENDAR ${s.calendar}`);
  if (s.includeDates?.length) out.push(`SCHEDCALIDATES ${s.includeDates.map(midnightOf).join(' ')}`);
  if (s.excludeDates?.length) out.push(`SCHEDCALEDATES ${s.excludeDates.map(midnightOf).join(' ')}`);
  if (s.weekdays?.length) out.push(`SCHEDCALDAYOWEEK ${s.weekdays.map((w) => `${w.day + 1},${w.week}`).join(' ')}`);
  if (s.monthDays?.length) out.push(`SCHEDCALDAYOMONTH ${s.monthDays.join(' ')}`);
  return out;
}

/** bppllist -l: every record of one policy. */
export function policyRaw(p: PolicyRecord): string {
  return [
    ...policyInfoRaw(p),
    ...p.clients.map(clientRecord),
    ...p.include.map((f) => `INCLUDE ${f}`),
    ...p.schedules.flatMap(scheduleRaw),
  ].join('\n') + '\n';
}
