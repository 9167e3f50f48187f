import { schedulePlan, pickPerClient } from '../../../src/master/nbpem/due.js';
import { openWindowAt, nextWindowOpen } from '../../../src/master/nbpem/windows.js';
import type { PolicyRecord } from '../../../src/protocol/records.js';

const at = (y: number, mo: number, d: number, h: number, mi = 0) => Math.floor(new Date(y, mo - 1, d, h, mi).getTime() / 1000);
// 2026-11-22 is a Sunday (day 0).
const everyNight = [0, 1, 2, 3, 4, 5, 6].map((day) => ({ day, start: 22 * 3600, duration: 8 * 3600 }));

function policy(schedules: PolicyRecord['schedules'], active = true): PolicyRecord {
  return {
    name: 'nightly', policyType: 0, active, residence: '', pool: 'NetBackup', priority: 0, maxJobs: 0, keyword: '',
    clients: [['c1', ['Linux', 'Debian']], ['c2', ['Linux', 'Debian']]], include: ['/data'], schedules, created: 0,
  };
}

describe('backup windows', () => {
  it('a window that crosses midnight is open on both sides of it', () => {
    const w = [{ day: 0, start: 22 * 3600, duration: 8 * 3600 }]; // Sunday 22:00 -> Monday 06:00
    expect(openWindowAt(w, at(2026, 11, 22, 23))).toBeDefined();
    expect(openWindowAt(w, at(2026, 11, 23, 5, 59))).toBeDefined();
    expect(openWindowAt(w, at(2026, 11, 23, 6))).toBeUndefined();
    expect(openWindowAt(w, at(2026, 11, 22, 21))).toBeUndefined();
    expect(nextWindowOpen(w, at(2026, 11, 23, 7))).toBe(at(2026, 11, 29, 22));
  });
  it('no window: never open', () => {
    expect(openWindowAt([], at(2026, 11, 22, 23))).toBeUndefined();
    expect(nextWindowOpen(undefined, at(2026, 11, 22, 23))).toBeUndefined();
  });
});

describe('what is due', () => {
  const full = { name: 'full', type: 'FULL' as const, retentionLevel: 1, frequencySeconds: 7 * 86400, windows: everyNight };
  const incr = { name: 'incr', type: 'INCR' as const, retentionLevel: 1, frequencySeconds: 86400, windows: everyNight };

  it('never backed up: due at once, runnable only inside a window, one entry per client', () => {
    const inWindow = schedulePlan([policy([full])], () => ({ lastSuccess: 0 }), at(2026, 11, 22, 23));
    expect(inWindow.map((d) => [d.client, d.runnable])).toEqual([['c1', true], ['c2', true]]);
    expect(inWindow[0]!.windowCloses).toBe(at(2026, 11, 23, 6));
    const outside = schedulePlan([policy([full])], () => ({ lastSuccess: 0 }), at(2026, 11, 22, 12));
    expect(outside.every((d) => !d.runnable && d.runAt === at(2026, 11, 22, 22))).toBe(true);
  });

  it('due when the last success is older than the frequency', () => {
    const last = at(2026, 11, 21, 23);
    const plan = schedulePlan([policy([incr])], () => ({ lastSuccess: last }), at(2026, 11, 22, 22, 30));
    expect(plan[0]!.runnable).toBe(false); // 23.5 hours since
    const later = schedulePlan([policy([incr])], () => ({ lastSuccess: last }), at(2026, 11, 22, 23, 30));
    expect(later[0]!.runnable).toBe(true);
  });

  it('inactive policies and user schedules never run by themselves', () => {
    const ubak = { name: 'user', type: 'UBAK' as const, retentionLevel: 1, frequencySeconds: 0, windows: everyNight };
    expect(schedulePlan([policy([full], false)], () => ({ lastSuccess: 0 }), at(2026, 11, 22, 23))).toEqual([]);
    expect(schedulePlan([policy([ubak])], () => ({ lastSuccess: 0 }), at(2026, 11, 22, 23))).toEqual([]);
  });

  it('when a full and an incremental are both due, the full runs', () => {
    const plan = schedulePlan([policy([full, incr])], () => ({ lastSuccess: 0 }), at(2026, 11, 22, 23)).filter((d) => d.runnable);
    const freq = (_p: string, s: string) => (s === 'full' ? full.frequencySeconds : incr.frequencySeconds);
    expect(pickPerClient(plan, freq).map((d) => [d.client, d.schedule]).sort()).toEqual([['c1', 'full'], ['c2', 'full']]);
  });
});
