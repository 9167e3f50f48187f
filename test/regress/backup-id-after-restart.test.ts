// Incident: timing one-file backups back to back, three jobs in a row ended 133 "backup id ... already
// exists in the catalogue". Backup ids are client_seconds; nbjm hands out the next second when jobs
// come quicker than one a second, so the ids run ahead of the clock, and a restarted nbjm no longer
// knew the last one it gave. It now skips the ids the catalogue already holds.

import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { OpenbpHome } from '../helpers/openbp-home.js';
import { writeClockOffset } from '../helpers/test-clock.js';
import { callDaemon } from '../../src/cli/daemon-call.js';
import { TEST_CLOCK_ENV } from '../../src/config/clock.js';
import { homeAt } from '../../src/config/home.js';
import { bpdbm } from '../../src/protocol/bpdbm.js';

describe('backup ids after nbjm restarts', () => {
  let home: OpenbpHome;
  let work: string;
  let clockFile: string;

  beforeAll(() => {
    home = OpenbpHome.create('obp-bkid');
    work = fs.mkdtempSync(path.join(os.tmpdir(), 'obpbkid-'));
    clockFile = path.join(work, 'clock');
    writeClockOffset(clockFile, 0);
    home.env[TEST_CLOCK_ENV] = clockFile;
    fs.writeFileSync(path.join(work, 'f'), 'one file\n');
  });
  afterAll(async () => {
    await home.destroy();
    fs.rmSync(work, { recursive: true, force: true });
  });

  it('a backup in the second of an image made before the restart takes the next free id', async () => {
    await home.ok('bpbackup', ['-w', path.join(work, 'f')]);
    const ids = async () => (await callDaemon(homeAt(home.root), bpdbm.listImages, {})).images.map((i) => i.backupTime).sort();
    const [first] = await ids();
    await home.ok('bp.kill_all');
    // The clock back at the second of the first image (the daemons start again on the next command).
    writeClockOffset(clockFile, first! - Date.now() / 1000);
    const r = await home.run('bpbackup', ['-w', path.join(work, 'f')]);
    expect({ code: r.code, out: r.stdout + r.stderr }).toEqual({ code: 0, out: expect.stringContaining('EXIT STATUS 0') });
    const after = await ids();
    expect(after).toHaveLength(2);
    expect(after[0]).toBe(first);
    expect(after[1]!).toBeGreaterThan(first!);
  });
});
