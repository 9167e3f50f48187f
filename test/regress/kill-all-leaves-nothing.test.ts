// Incident: test homes kept a full set of daemons after their test removed them. bp.kill_all stopped the
// processes it saw at its start; a daemon that lost its peer meanwhile (nbpem's timer called a bpdbm
// already gone) started the daemon set again, as it may, and that set outlived the kill_all and
// recreated the removed home. bp.kill_all now holds the start lock and stops what appeared meanwhile.
// (The exact interleaving is hard to force; this asserts the outcome with a daemon restarting the set.)

import fs from 'node:fs';
import { OpenbpHome } from '../helpers/openbp-home.js';
import { processesOfHome } from '../helpers/open-files.js';

describe('bp.kill_all leaves nothing running', () => {
  let home: OpenbpHome;
  beforeAll(async () => {
    home = OpenbpHome.create('obp-killall');
    // nbpem asks bpdbm for the policies every second: it notices bpdbm going at once.
    fs.writeFileSync(home.path('bp.conf'), 'NBPEM_INTERVAL = 1\n');
  });
  afterAll(async () => {
    await home.destroy();
  });

  test('a daemon that restarts the set while bp.kill_all runs does not outlive it', async () => {
    for (let round = 0; round < 2; round++) {
      await home.ok('bp.start_all');
      // bpdbm goes first, as if kill_all had just stopped it: nbpem's next tick starts the set again.
      process.kill(Number(fs.readFileSync(home.path('run', 'bpdbm.pid'), 'utf8')), 'SIGKILL');
      await new Promise((r) => setTimeout(r, 900));
      await home.ok('bp.kill_all');
      await new Promise((r) => setTimeout(r, 1500));
      expect(processesOfHome(home.root)).toEqual([]);
    }
  });
});
