// Incident: test homes kept a full set of daemons after their test removed them. A daemon that could not
// reach another (bp.kill_all stops them one by one; nbpem's timer called bpdbm in between) started the
// whole daemon set itself, as a command does; that set outlived the kill_all and recreated the home.
// Only commands start daemons: a daemon that cannot reach another logs the failure and goes on.

import fs from 'node:fs';
import { OpenbpHome } from '../helpers/openbp-home.js';
import { processesOfHome } from '../helpers/open-files.js';

describe('a daemon never starts the daemon set', () => {
  let home: OpenbpHome;
  beforeAll(async () => {
    home = OpenbpHome.create('obp-nostart');
    fs.writeFileSync(home.path('bp.conf'), 'NBPEM_INTERVAL = 1\n');
    await home.ok('bp.start_all');
  });
  afterAll(async () => {
    await home.destroy();
  });

  test('nbpem whose bpdbm is gone reports it on each timer tick and starts nothing', async () => {
    const bpdbm = Number(fs.readFileSync(home.path('run', 'bpdbm.pid'), 'utf8'));
    process.kill(bpdbm, 'SIGKILL');
    const before = new Set(processesOfHome(home.root).map((p) => p.pid));
    // nbpem's timer ticks every second and asks bpdbm for the policies.
    await new Promise((r) => setTimeout(r, 3500));
    const nbpemLog = fs.readdirSync(home.path('logs', 'nbpem')).map((f) => fs.readFileSync(home.path('logs', 'nbpem', f), 'utf8')).join('');
    expect(nbpemLog).toMatch(/schedule evaluation failed/);
    const started = processesOfHome(home.root).filter((p) => !before.has(p.pid));
    expect(started).toEqual([]);
    expect(processesOfHome(home.root).map((p) => p.name)).not.toContain('bpdbm');
  });
});
