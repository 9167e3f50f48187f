// nbpem with the real daemons on a controlled clock (OPENBP_TEST_CLOCK_FILE): a queued job whose window
// closes ends with 196; a failed scheduled backup is retried as tries of one job (bpdbjobs shows them);
// a calendar schedule runs once on its run day and predicts the next one.

import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { OpenbpHome } from '../helpers/openbp-home.js';
import { writeClockOffset } from '../helpers/test-clock.js';
import { TEST_CLOCK_ENV } from '../../src/config/clock.js';

const host = os.hostname().split('.')[0]!;

/** One -all_columns line: the head fields and the tries (NetBackup's layout, netbackup.md §1.1). */
interface JobRow {
  jobid: number;
  state: number;
  status: string;
  policy: string;
  tryColumn: number;
  tries: Array<{ status: string; description: string; lines: string[] }>;
}

function parseAllColumns(line: string): JobRow {
  const f = line.split(/(?<!\\),/).map((x) => x.replace(/\\,/g, ','));
  let i = 31;
  const nFiles = Number(f[i++]);
  i += nFiles;
  const nTries = Number(f[i++]);
  const tries: JobRow['tries'] = [];
  for (let t = 0; t < nTries; t++) {
    i += 6; // pid, stunit, server, started, elapsed, ended
    const status = f[i++]!;
    const description = f[i++]!;
    const nLines = Number(f[i++]);
    tries.push({ status, description, lines: f.slice(i, i + nLines) });
    i += nLines + 2; // lines, kbytes, files
  }
  return { jobid: Number(f[0]), state: Number(f[2]), status: f[3]!, policy: f[4]!, tryColumn: Number(f[12]), tries };
}

describe('schedules on a controlled clock: 196, tries, calendar run days', () => {
  let home: OpenbpHome;
  let data: string;
  let missing: string;
  let clockFile: string;
  const stuDirs: string[] = [];

  /** Moves every process's clock so that local time now is `target`. */
  const setClock = (target: Date) => writeClockOffset(clockFile, (target.getTime() - Date.now()) / 1000);

  async function job(jobid: number): Promise<JobRow> {
    const r = await home.ok('bpdbjobs', ['-jobid', String(jobid), '-all_columns']);
    return parseAllColumns(r.stdout.trim());
  }

  async function waitFor(jobid: number, what: string, ok: (j: JobRow) => boolean): Promise<JobRow> {
    const poll = async () => {
      for (;;) {
        const j = await job(jobid);
        if (ok(j)) return j;
        await new Promise((r) => setTimeout(r, 150));
      }
    };
    return home.within(poll(), 60_000, `job ${jobid}: ${what}`);
  }

  async function runDue(): Promise<number[]> {
    const r = await home.ok('nbpem', ['-once']);
    return r.stdout.split('\n').filter(Boolean).map(Number);
  }

  async function policy(name: string, include: string, sched: string[], residence?: string): Promise<void> {
    await home.ok('bppolicynew', [name]);
    if (residence) await home.ok('bpplinfo', [name, '-modify', '-residence', residence]);
    await home.ok('bpplclients', [name, '-add', host, 'Linux', 'Debian']);
    await home.ok('bpplinclude', [name, '-add', include]);
    await home.ok('bpplsched', [name, '-add', ...sched]);
  }

  beforeAll(() => {
    home = OpenbpHome.create();
    data = fs.mkdtempSync(path.join(os.tmpdir(), 'obptries-'));
    fs.writeFileSync(path.join(data, 'file.txt'), 'tries\n');
    missing = path.join(data, 'not-yet');
    clockFile = home.path('test-clock');
    home.env[TEST_CLOCK_ENV] = clockFile;
    // Monday 4 January 2027, 09:00 local. nbpem's own timer stays out of the way: nbpem -once drives it.
    setClock(new Date(2027, 0, 4, 9, 0, 0));
    fs.writeFileSync(home.path('bp.conf'), 'NBPEM_INTERVAL = 0\nMAX_JOBS_PER_CLIENT = 4\nBACKUP_TRIES = 3\nBACKUP_TRIES_PERIOD = 12\nJOB_RETRY_DELAY = 2\n');
  });

  afterAll(async () => {
    await home.destroy();
    fs.rmSync(data, { recursive: true, force: true });
    for (const d of stuDirs) fs.rmSync(d, { recursive: true, force: true });
  });

  it('a job still queued when its window closes ends with 196 and stays due for the next window', async () => {
    const stu = fs.mkdtempSync(path.join(os.tmpdir(), 'obpstu-'));
    stuDirs.push(stu);
    // A storage unit that runs no job at once (-cj 0): a job for it waits in the queue.
    await home.ok('bpstuadd', ['-label', 'closed', '-path', stu, '-cj', '0']);
    await policy('p196', data, ['full', '-st', 'FULL', '-freq', '86400', '-window', 'monday', '10:00:00', '3600'], 'closed');
    setClock(new Date(2027, 0, 4, 10, 59, 54)); // the window closes in 6 seconds
    const [jobid] = await runDue();
    expect(jobid).toBeGreaterThan(0);
    const done = await waitFor(jobid!, 'ends', (j) => j.state === 3);
    expect(done.status).toBe('196');
    expect(done.tries).toHaveLength(1);
    expect(done.tries[0]!.status).toBe('196');
    expect(done.tries[0]!.lines.join('\n')).toMatch(/backup window closed at 01\/04\/2027 11:00:00 before resources were available/);
    const report = await home.ok('bpdbjobs', ['-report']);
    expect(report.stdout).toMatch(new RegExp(`^\\s*${jobid}\\s+Backup\\s+Done\\s+196\\s+p196\\s+full\\s`, 'm'));
    // Not lost: still due, and it starts when the window next opens.
    const predict = await home.ok('nbpemreq', ['-predict']);
    expect(predict.stdout).toMatch(/p196\s+full\s+FULL\s+\S+\s+now\s+01\/11\/2027 10:00:00\s+waiting/);
  });

  it('retries a failed scheduled backup as tries of one job, until it succeeds or the tries run out', async () => {
    setClock(new Date(2027, 0, 4, 12, 0, 0));
    await policy('pretry', missing, ['daily', '-st', 'FULL', '-freq', '86400', '-window', '0', '86400']);
    await policy('pfail', path.join(data, 'never'), ['daily', '-st', 'FULL', '-freq', '86400', '-window', '0', '86400']);
    // A calendar schedule: the first Monday of the month (today) and the second, except 11 January.
    await policy('pcal', data, ['monthly', '-st', 'FULL', '-cal', '1', '-weekday', 'Monday', '1', 'Monday', '2', '-excl', '01/11/2027', '-window', '0', '86400']);
    const due = await home.ok('nbpemreq', ['-due']);
    expect(due.stdout).toMatch(/pcal\s+monthly\s+FULL\s+\S+\s+now\s+now\s+due/);

    const jobids = await runDue();
    expect(jobids).toHaveLength(3);
    const rows = await Promise.all(jobids.map((id) => job(id)));
    const id = (p: string) => rows.find((r) => r.policy === p)!.jobid;

    // pretry: its selection is missing on the first try; it appears before the second.
    await waitFor(id('pretry'), 'waits for a retry', (j) => j.state === 2);
    fs.mkdirSync(missing);
    fs.writeFileSync(path.join(missing, 'now.txt'), 'here\n');
    const retried = await waitFor(id('pretry'), 'ends', (j) => j.state === 3);
    expect(retried.status).toBe('0');
    expect(retried.tryColumn).toBe(2);
    expect(retried.tries.map((t) => t.status)).toEqual(['71', '0']);
    expect(retried.tries[0]!.description).toBe('none of the files in the file list exist');
    expect(retried.tries[0]!.lines.join('\n')).toMatch(/end try 1, status 71 .*; try 2 of 3 at /);
    expect(retried.tries[1]!.lines.join('\n')).toMatch(/end job, status 0/);

    // pfail: three tries, each 71; the job ends 71 and nbpem tries no more within the period.
    const failed = await waitFor(id('pfail'), 'ends', (j) => j.state === 3);
    expect(failed.status).toBe('71');
    expect(failed.tries.map((t) => t.status)).toEqual(['71', '71', '71']);
    expect(failed.tries[2]!.lines.join('\n')).toMatch(/no more tries \(3 allowed/);

    const cal = await waitFor(id('pcal'), 'ends', (j) => j.state === 3);
    expect(cal.status).toBe('0');

    // Nothing more is due today: pretry and pcal succeeded, pfail used its tries.
    expect(await runDue()).toEqual([]);
    const predict = (await home.ok('nbpemreq', ['-predict'])).stdout;
    expect(predict).toMatch(/pretry\s+daily\s+FULL\s+\S+\s+01\/05\/2027 12:00:\d\d\s+01\/05\/2027 12:00:\d\d\s+waiting/);
    expect(predict).toMatch(/pfail\s+daily\s+FULL\s+\S+\s+now\s+01\/05\/2027 00:00:\d\d\s+waiting/);
    // 11 January is excluded: the next run day is the first Monday of February.
    expect(predict).toMatch(/pcal\s+monthly\s+FULL\s+\S+\s+02\/01\/2027 00:00:00\s+02\/01\/2027 00:00:00\s+waiting/);
  });
});
