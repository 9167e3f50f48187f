// Incident: the week of nightly schedules failed in CI again (Monday to Wednesday ran nothing) after the
// late-report fix. nbpem's timer evaluates the schedules one second after nbpem starts, whatever
// NBPEM_INTERVAL says; on a machine with a cold page cache the test's set-up took about that second, so
// the first tick came after the clock had moved to Monday and submitted Monday's incremental itself, and
// the `nbpem -once` the test waited on found it running and printed nothing. A site that drives nbpem
// from cron has the same problem (the timer runs what is due besides cron): NBPEM_INTERVAL = 0 now turns
// the timer off, and nothing runs until `nbpem -once` asks.

import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { OpenbpHome } from '../helpers/openbp-home.js';
import { callDaemon } from '../../src/cli/daemon-call.js';
import { homeAt } from '../../src/config/home.js';
import { bpjobd } from '../../src/protocol/bpjobd.js';

const host = os.hostname().split('.')[0]!;
const DAY = 86400;

describe('nbpem with NBPEM_INTERVAL = 0', () => {
  let home: OpenbpHome;
  let data: string;

  beforeAll(async () => {
    home = OpenbpHome.create('obp-timer-off');
    data = fs.mkdtempSync(path.join(os.tmpdir(), 'obptimeroff-'));
    fs.writeFileSync(path.join(data, 'file.txt'), 'due all day\n');
    fs.writeFileSync(home.path('bp.conf'), 'NBPEM_INTERVAL = 0\n');
    await home.ok('bppolicynew', ['cron']);
    await home.ok('bpplclients', ['cron', '-add', host, 'Linux', 'Debian']);
    await home.ok('bpplinclude', ['cron', '-add', data]);
    // Due now and every day: a window open all day, every day.
    await home.ok('bpplsched', ['cron', '-add', 'full', '-st', 'FULL', '-freq', String(DAY), '-window', '0', String(DAY)]);
  });

  afterAll(async () => {
    await home.destroy();
    fs.rmSync(data, { recursive: true, force: true });
  });

  it('submits nothing by itself, and what is due when nbpem -once asks', async () => {
    const h = homeAt(home.root);
    // Past the second after start at which the timer's first evaluation used to run.
    await new Promise((r) => setTimeout(r, 2500));
    expect((await callDaemon(h, bpjobd.list, {})).jobs).toEqual([]);
    const jobids = (await home.ok('nbpem', ['-once'])).stdout.split('\n').filter((l) => l !== '').map(Number);
    expect(jobids).toHaveLength(1);
    const job = await home.within(callDaemon(h, bpjobd.wait, { jobid: jobids[0]! }), 60_000, 'the job nbpem -once submitted');
    expect(job.status).toBe(0);
    expect(home.logTail(50)).toMatch(/NBPEM_INTERVAL = 0: no timer/);
  });
});
