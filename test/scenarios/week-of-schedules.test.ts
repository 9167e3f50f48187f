// A week of nightly schedules on the real daemons with a controlled clock (OPENBP_TEST_CLOCK_FILE): a FULL
// on Sunday, INCR Monday to Wednesday and CINC Thursday to Saturday, each a frequency schedule with its own
// windows, run by `nbpem -once` at 02:00 of each simulated day with edits, renames, deletions and new files
// in between. Restores at several dates match the tree as it was then, and bplist at a date lists exactly
// the files that existed. Then the clock runs past the retention: image cleanup keeps the expired full while
// the incrementals that depend on it have not expired, and once they have, removes every image and frees
// the disk unit.

import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { execFileSync } from 'node:child_process';
import { OpenbpHome } from '../helpers/openbp-home.js';
import { writeClockOffset } from '../helpers/test-clock.js';
import { compareTrees } from '../helpers/compare-trees.js';
import { writeRealData } from '../helpers/slow-job.js';
import { formatNbDateTime } from '../../src/cli/dates.js';
import { callDaemon } from '../../src/cli/daemon-call.js';
import { TEST_CLOCK_ENV } from '../../src/config/clock.js';
import { homeAt, type Home } from '../../src/config/home.js';
import { bpdbm } from '../../src/protocol/bpdbm.js';
import { bpjobd } from '../../src/protocol/bpjobd.js';
import { nbpem } from '../../src/protocol/nbpem.js';
import type { ImageRecord } from '../../src/protocol/records.js';

const host = os.hostname().split('.')[0]!;
const DAY = 86400;
const DAY_NAMES = ['sunday', 'monday', 'tuesday', 'wednesday', 'thursday', 'friday', 'saturday'];

/** Every path under root (relative, '' for root itself), sorted. */
function treePaths(root: string): string[] {
  const out = [''];
  for (const e of fs.readdirSync(root, { recursive: true, withFileTypes: true })) out.push(path.relative(root, path.join(e.parentPath, e.name)));
  return out.sort();
}

/** Bytes in the regular files under dir. */
function bytesUnder(dir: string): number {
  return fs
    .readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile())
    .reduce((n, e) => n + fs.statSync(path.join(e.parentPath, e.name)).size, 0);
}

describe('a week of nightly schedules with a controlled clock', () => {
  let home: OpenbpHome;
  let h: Home;
  let work: string;
  let data: string;
  let clockFile: string;
  /** Sunday 02:00 (local) of the simulated week. */
  let sunday: number;
  const days: Array<{ day: string; at: number; jobids: number[]; image: ImageRecord; snapshot: string }> = [];

  /** Moves every process's clock to `t` (epoch seconds, local dates) from now on. */
  const setClock = (t: number) => writeClockOffset(clockFile, t - Date.now() / 1000);
  const images = async () => (await callDaemon(h, bpdbm.listImages, { policy: 'week' })).images;

  beforeAll(async () => {
    home = OpenbpHome.create();
    h = homeAt(home.root);
    work = fs.mkdtempSync(path.join(os.tmpdir(), 'obpweek-'));
    clockFile = path.join(work, 'clock');
    home.env[TEST_CLOCK_ENV] = clockFile;
    // The daemon timer stays out of the way: `nbpem -once` alone decides when the schedules run.
    fs.writeFileSync(home.path('bp.conf'), 'NBPEM_INTERVAL = 0\nCLEANUP_INTERVAL = 1000000\n');
    const d = new Date();
    d.setDate(d.getDate() + 2 + ((7 - d.getDay()) % 7));
    d.setHours(2, 0, 0, 0);
    while (d.getDay() !== 0) d.setDate(d.getDate() + 1);
    sunday = Math.floor(d.getTime() / 1000);
    setClock(sunday - 14 * 3600); // Saturday noon: no window is open when the daemons start

    data = path.join(work, 'data');
    fs.mkdirSync(path.join(data, 'sub', 'deep'), { recursive: true });
    writeRealData(path.join(data, 'big.bin'), 1);
    fs.writeFileSync(path.join(data, 'edit.txt'), 'version 1\n');
    fs.writeFileSync(path.join(data, 'keep.txt'), 'never changes\n');
    fs.writeFileSync(path.join(data, 'old-name.txt'), 'renamed on Tuesday\n');
    fs.writeFileSync(path.join(data, 'doomed.txt'), 'deleted on Wednesday\n');
    fs.writeFileSync(path.join(data, 'sub', 'mode.txt'), 'chmod on Friday\n');
    fs.writeFileSync(path.join(data, 'sub', 'deep', 'file.txt'), 'gone on Saturday\n');
    fs.symlinkSync('keep.txt', path.join(data, 'link'));

    await home.ok('bppolicynew', ['week']);
    await home.ok('bpplclients', ['week', '-add', host, 'Linux', 'Debian']);
    await home.ok('bpplinclude', ['week', '-add', data]);
    const windows = (names: string[]) => names.flatMap((n) => ['-window', n]);
    const hours = (names: string[]) => names.flatMap(() => ['01:00', '04:00']);
    const sched = async (name: string, type: string, freq: number, on: string[]) =>
      home.ok('bpplsched', ['week', '-add', name, '-st', type, '-freq', String(freq), '-rl', '0', ...windows(on), ...hours(on)]);
    await sched('full', 'FULL', 7 * DAY, ['sunday']);
    await sched('incr', 'INCR', DAY, ['monday', 'tuesday', 'wednesday']);
    await sched('cinc', 'CINC', DAY, ['thursday', 'friday', 'saturday']);
  });

  afterAll(async () => {
    await home.destroy();
    fs.rmSync(work, { recursive: true, force: true });
  });

  /** Day k of the week at 02:00 plus k minutes (a run never takes a minute, so each is a full frequency after the last). */
  const dayAt = (k: number) => sunday + k * DAY + k * 60;

  async function runNight(k: number): Promise<void> {
    setClock(dayAt(k));
    const before = new Set((await images()).map((i) => i.backupid));
    const once = await home.ok('nbpem', ['-once']);
    const jobids = once.stdout.split('\n').filter((l) => l !== '').map(Number);
    if (jobids.length === 0) {
      // Every night runs one job: say what nbpem saw, so that a failure in CI can be read.
      const plan = await callDaemon(h, nbpem.plan, {});
      const jobs = (await callDaemon(h, bpjobd.list, {})).jobs.map((j) => `${j.jobid} ${j.schedule} state ${j.state} status ${j.status ?? '-'} ended ${j.ended}`);
      throw new Error(`nothing ran on ${DAY_NAMES[k]} (${dayAt(k)})\nnbpem plan: ${JSON.stringify(plan)}\njobs: ${jobs.join('; ')}\n${home.logTail(40)}`);
    }
    for (const jobid of jobids) {
      const job = await home.within(callDaemon(h, bpjobd.wait, { jobid }), 60_000, `job ${jobid} on ${DAY_NAMES[k]}`);
      if (job.status !== 0) throw new Error(`job ${jobid} on ${DAY_NAMES[k]} ended ${job.status}\n${home.logTail()}`);
    }
    const made = (await images()).filter((i) => !before.has(i.backupid));
    const snapshot = path.join(work, `snap-${k}`);
    execFileSync('cp', ['-a', data, snapshot]);
    days.push({ day: DAY_NAMES[k]!, at: dayAt(k), jobids, image: made[0]!, snapshot });
  }

  const edits: Array<() => void> = [
    () => {},
    () => fs.writeFileSync(path.join(data, 'edit.txt'), 'version 2, Monday\n'),
    () => fs.renameSync(path.join(data, 'old-name.txt'), path.join(data, 'new-name.txt')),
    () => fs.rmSync(path.join(data, 'doomed.txt')),
    () => fs.writeFileSync(path.join(data, 'new.txt'), 'new on Thursday\n'),
    () => {
      fs.mkdirSync(path.join(data, 'extra'));
      fs.writeFileSync(path.join(data, 'extra', 'one.txt'), 'Friday one\n');
      fs.writeFileSync(path.join(data, 'extra', 'two.txt'), 'Friday two\n');
      fs.chmodSync(path.join(data, 'sub', 'mode.txt'), 0o600);
    },
    () => {
      fs.rmSync(path.join(data, 'sub', 'deep'), { recursive: true });
      fs.renameSync(path.join(data, 'extra'), path.join(data, 'extra2'));
      fs.writeFileSync(path.join(data, 'edit.txt'), 'version 3, Saturday\n');
    },
  ];

  it('runs the schedule of each night, one job a night, at the simulated dates', async () => {
    for (let k = 0; k < 7; k++) {
      edits[k]!();
      await runNight(k);
      if (k === 1) {
        // Already run tonight: a second -once submits nothing.
        expect((await home.ok('nbpem', ['-once'])).stdout).toBe('');
      }
    }
    expect(days.map((d) => d.jobids.length)).toEqual([1, 1, 1, 1, 1, 1, 1]);
    expect(days.map((d) => `${d.image.schedLabel}/${d.image.schedType}`)).toEqual([
      'full/FULL', 'incr/INCR', 'incr/INCR', 'incr/INCR', 'cinc/CINC', 'cinc/CINC', 'cinc/CINC',
    ]);
    // Each image carries its simulated date (within the minute its run took).
    for (const d of days) expect(d.image.backupTime - d.at).toBeGreaterThanOrEqual(0);
    for (const d of days) expect(d.image.backupTime - d.at).toBeLessThan(60);
    // A cumulative copies everything changed since Sunday's full; a differential only the day's change.
    const written = async (image: ImageRecord) => {
      const { files } = await callDaemon(h, bpdbm.imageFiles, { backupid: image.backupid, start: 0, count: 1000 });
      return files.filter((f) => f.type !== 'd' && (f.inImage ?? 1) === 1).map((f) => path.relative(data, f.path)).sort();
    };
    expect(await written(days[1]!.image)).toEqual(['edit.txt']);
    expect(await written(days[2]!.image)).toEqual(['new-name.txt']);
    expect(await written(days[4]!.image)).toEqual(['edit.txt', 'new-name.txt', 'new.txt']);
  });

  it('restores the tree as it was on Sunday (full), Wednesday (full and three INCR) and Saturday (full and CINC)', async () => {
    for (const k of [0, 3, 6]) {
      const d = days[k]!;
      const out = path.join(work, `out-${d.day}`);
      const rename = path.join(work, `rename-${d.day}`);
      fs.writeFileSync(rename, `change ${data} to ${out}\n`);
      const r = await home.run('bprestore', ['-w', '-e', ...formatNbDateTime(d.image.backupTime).split(' '), '-R', rename, data]);
      if (r.code !== 0) throw new Error(`bprestore at ${d.day}: ${r.code}\n${r.stdout}\n${r.stderr}\n${home.logTail()}`);
      expect({ at: d.day, diffs: await compareTrees(d.snapshot, out, { owners: true }) }).toEqual({ at: d.day, diffs: [] });
    }
    expect(fs.existsSync(path.join(work, 'out-sunday', 'doomed.txt'))).toBe(true);
    expect(fs.existsSync(path.join(work, 'out-wednesday', 'doomed.txt'))).toBe(false);
  });

  it('lists with bplist exactly the files that existed at each date', async () => {
    for (const d of days) {
      const r = await home.ok('bplist', ['-R', '-e', ...formatNbDateTime(d.image.backupTime).split(' '), data]);
      const listed = r.stdout.split('\n').filter((l) => l !== '').map((l) => path.relative(data, l.replace(/\/$/, ''))).sort();
      expect({ at: d.day, listed }).toEqual({ at: d.day, listed: treePaths(d.snapshot) });
    }
  });

  it('keeps the expired full while the incrementals that depend on it have not expired', async () => {
    const full = days[0]!.image;
    const unit = home.path('stu', 'default');
    const fragments = (image: ImageRecord) => fs.readdirSync(unit).filter((n) => n.startsWith(`${image.backupid}_`));
    expect(fragments(full).length).toBeGreaterThan(0);
    setClock(full.expiration + 3600); // a week and an hour after Sunday's full: Monday's INCR has a day left
    const r = await home.ok('bpimage', ['-cleanup', '-allclients']);
    expect(r.code).toBe(0);
    expect((await images()).map((i) => i.backupid)).toContain(full.backupid);
    expect(fragments(full).length).toBeGreaterThan(0);
    const jobs = (await home.ok('bpdbjobs', ['-all_columns'])).stdout.split('\n');
    const cleanup = jobs.find((l) => l.split(',')[1] === '17')!;
    expect(cleanup).toContain(`image ${full.backupid} expired but is kept`);
  });

  it('removes every image once the last incremental has expired and frees the disk unit', async () => {
    const unit = home.path('stu', 'default');
    expect(bytesUnder(unit)).toBeGreaterThan(1 << 20);
    const last = Math.max(...days.map((d) => d.image.expiration));
    setClock(last + 3600);
    await home.ok('bpimage', ['-cleanup', '-allclients']);
    expect(await images()).toEqual([]);
    expect(fs.readdirSync(unit).filter((n) => days.some((d) => n.startsWith(`${d.image.backupid}_`)))).toEqual([]);
    expect(bytesUnder(unit)).toBe(0);
    const listed = await home.run('bplist', ['-R', data]);
    expect(listed.code).toBe(227);
  });
});
