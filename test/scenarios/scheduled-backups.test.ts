// nbpem runs a policy's schedule by itself when it is due and its window is open, records the run,
// and then predicts the next one; `nbpem -once` (the cron form) submits nothing that is not due.

import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { OpenbpHome } from '../helpers/openbp-home.js';

const host = os.hostname().split('.')[0]!;

describe('scheduled backups', () => {
  let home: OpenbpHome;
  let data: string;

  beforeAll(async () => {
    home = OpenbpHome.create();
    data = fs.mkdtempSync(path.join(os.tmpdir(), 'obpsched-'));
    fs.writeFileSync(path.join(data, 'file.txt'), 'scheduled\n');
    fs.writeFileSync(home.path('bp.conf'), 'NBPEM_INTERVAL = 1\n');
  });

  afterAll(async () => {
    await home.destroy();
    fs.rmSync(data, { recursive: true, force: true });
  });

  it('runs a due FULL schedule inside its window and predicts the next run', async () => {
    await home.ok('bppolicynew', ['nightly']);
    await home.ok('bpplclients', ['nightly', '-add', host, 'Linux', 'Debian']);
    await home.ok('bpplinclude', ['nightly', '-add', data]);
    // Before it has a window, nothing runs and -predict says never.
    await home.ok('bpplsched', ['nightly', '-add', 'daily', '-st', 'FULL', '-freq', '86400', '-rl', '0']);
    const before = await home.ok('nbpemreq', ['-predict']);
    expect(before.stdout).toMatch(/nightly\s+daily\s+FULL\s+\S+\s+now\s+never \(no window\)/);
    await home.ok('bpplsched', ['nightly', '-modify', 'daily', '-window', '0', '86400']);

    const deadline = Date.now() + 30_000;
    let row: string[] | undefined;
    while (Date.now() < deadline) {
      const jobs = await home.ok('bpdbjobs', ['-report', '-most_columns']);
      row = jobs.stdout.split('\n').map((l) => l.split(',')).find((r) => r[4] === 'nightly' && r[2] === '3');
      if (row) break;
      await new Promise((r) => setTimeout(r, 250));
    }
    expect(row).toBeDefined();
    expect([row![3], row![5], row![20]]).toEqual(['0', 'daily', '1']); // status 0, schedule, subtype 1 = scheduled
    const images = await home.ok('bpimagelist', ['-l', '-policy', 'nightly']);
    expect(images.stdout).toMatch(new RegExp(`^IMAGE ${host} .* nightly .* daily 0 `, 'm'));

    const after = await home.ok('nbpemreq', ['-predict']);
    expect(after.stdout).toMatch(/nightly\s+daily\s+FULL\s+\S+\s+\d\d\/\d\d\/\d{4} \d\d:\d\d:\d\d/);
    expect((await home.ok('nbpemreq', ['-due'])).stdout).toBe('');
    expect((await home.ok('nbpem', ['-once'])).stdout).toBe('');
  });
});
