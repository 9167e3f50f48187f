// Incident: a week of nightly schedules in CI ran Sunday's full and then no incremental on Monday,
// Tuesday or Wednesday. nbjm closes a job's record in bpjobd first, then releases its resources with
// nbrb, then reports the end to nbpem; a `nbpem -once` that came between (the job already done for
// whoever waited on bpjobd) found the full still running and held back every schedule of the policy.
// nbpem now takes a job bpjobd has as done for ended, whether or not nbjm's report has arrived; the
// report arriving later records nothing twice.

import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { OpenbpHome } from '../helpers/openbp-home.js';
import { writeClockOffset } from '../helpers/test-clock.js';
import { slowBuffers, writeRealData } from '../helpers/slow-job.js';
import { callDaemon } from '../../src/cli/daemon-call.js';
import { callOnce } from '../../src/ipc/rpc-client.js';
import { TEST_CLOCK_ENV } from '../../src/config/clock.js';
import { homeAt } from '../../src/config/home.js';
import { bpjobd } from '../../src/protocol/bpjobd.js';
import { ping } from '../../src/protocol/lifecycle.js';
import { JOB_STATE } from '../../src/protocol/records.js';

const host = os.hostname().split('.')[0]!;
const DAY = 86400;

describe('a schedule due right after another job of its policy ends', () => {
  let home: OpenbpHome;
  let work: string;
  let clockFile: string;
  const setClock = (offsetSeconds: number) => writeClockOffset(clockFile, offsetSeconds);

  beforeAll(async () => {
    home = OpenbpHome.create('obp-late-report');
    work = fs.mkdtempSync(path.join(os.tmpdir(), 'obplate-'));
    clockFile = path.join(work, 'clock');
    home.env[TEST_CLOCK_ENV] = clockFile;
    setClock(0);
    fs.writeFileSync(home.path('bp.conf'), 'NBPEM_INTERVAL = 0\nCLEANUP_INTERVAL = 1000000\n');
    // Slow enough to stop nbrb while the full runs.
    slowBuffers(home);
    const data = path.join(work, 'data');
    fs.mkdirSync(data);
    writeRealData(path.join(data, 'big.bin'), 48);
    await home.ok('bppolicynew', ['late']);
    await home.ok('bpplclients', ['late', '-add', host, 'Linux', 'Debian']);
    await home.ok('bpplinclude', ['late', '-add', data]);
    await home.ok('bpplsched', ['late', '-add', 'full', '-st', 'FULL', '-freq', String(7 * DAY), '-window', '0', String(DAY)]);
    await home.ok('bpplsched', ['late', '-add', 'incr', '-st', 'INCR', '-freq', String(DAY), '-window', '0', String(DAY)]);
  });

  afterAll(async () => {
    await home.destroy();
    fs.rmSync(work, { recursive: true, force: true });
  });

  it('submits the next schedule when bpjobd has the job done and nbpem has not been told yet', async () => {
    const h = homeAt(home.root);
    const once = async () => (await home.ok('nbpem', ['-once'])).stdout.split('\n').filter((l) => l !== '').map(Number);
    const [full] = await once();
    expect(full).toBeGreaterThan(0);
    for (let i = 0; i < 600 && (await callDaemon(h, bpjobd.get, { jobid: full! })).state !== JOB_STATE.active; i++) await new Promise((r) => setTimeout(r, 50));
    // nbrb stopped: nbjm closes the job's record, then waits on nbrb's release before it reports to nbpem.
    const nbrb = (await callOnce(home.path('run', 'nbrb.sock'), 'nbrb', ping('nbrb'), {}, { timeoutMs: 20_000 })).pid;
    process.kill(nbrb, 'SIGSTOP');
    let incr: number[];
    try {
      const done = await home.within(callDaemon(h, bpjobd.wait, { jobid: full! }), 60_000, 'the full');
      expect(done.status).toBe(0);
      setClock(DAY + 60);
      incr = await once();
      expect(incr).toHaveLength(1);
    } finally {
      process.kill(nbrb, 'SIGCONT');
    }
    const job = await home.within(callDaemon(h, bpjobd.wait, { jobid: incr[0]! }), 60_000, 'the incremental');
    expect({ schedule: job.schedule, status: job.status }).toEqual({ schedule: 'incr', status: 0 });
    // The full's late report recorded nothing twice: both schedules ran, neither is due.
    expect(await once()).toEqual([]);
  });
});
