// The home's layout and modes, and where a command finds the master's home.

import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { defaultHomeRoot, ensureHomeLayout, homeAt, systemHomeRoot, userRequestSocketPath } from '../../src/config/home.js';

describe('home', () => {
  let dir: string;
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'obp-home-'));
  });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  const mode = (p: string) => fs.statSync(p).mode & 0o7777;

  it('closes the home to other users; a root-run master opens only a passage to run/ (0711)', () => {
    const home = homeAt(path.join(dir, 'h'));
    fs.mkdirSync(home.root, { mode: 0o755 });
    fs.mkdirSync(home.db, { mode: 0o755 });
    fs.mkdirSync(home.logs, { mode: 0o777 });
    ensureHomeLayout(home);
    const passage = process.getuid!() === 0 ? 0o711 : 0o700;
    expect(mode(home.root)).toBe(passage);
    expect(mode(home.run)).toBe(passage);
    for (const d of [home.db, home.logs, home.images, home.jobs, home.emm, home.classes, home.config]) expect([d, mode(d)]).toEqual([d, 0o700]);
    expect(path.dirname(userRequestSocketPath(home))).toBe(home.run);
  });

  it('takes $OPENBP_HOME, else OPENBP_HOME from the system configuration, else ~/.openbp', () => {
    const conf = path.join(dir, 'openbp.conf');
    expect(defaultHomeRoot({ HOME: '/home/al' }, conf)).toBe('/home/al/.openbp');
    fs.writeFileSync(conf, '# the master\nOPENBP_HOME = /var/lib/openbp\n');
    expect(systemHomeRoot(conf)).toBe('/var/lib/openbp');
    expect(defaultHomeRoot({ HOME: '/home/al' }, conf)).toBe('/var/lib/openbp');
    expect(defaultHomeRoot({ HOME: '/home/al', OPENBP_HOME: '/srv/obp' }, conf)).toBe('/srv/obp');
    fs.writeFileSync(conf, 'OPENBP_HOME = relative/path\n');
    expect(systemHomeRoot(conf)).toBeUndefined();
  });
});
