// Policy admin commands with the real binaries: a policy on its own disk storage unit takes a user backup,
// and bad input is refused with NetBackup's statuses.

import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { OpenbpHome } from '../helpers/openbp-home.js';

function filesUnder(dir: string): string[] {
  return fs.readdirSync(dir, { recursive: true, withFileTypes: true }).filter((e) => e.isFile()).map((e) => path.join(e.parentPath, e.name));
}

describe('policies', () => {
  let home: OpenbpHome;
  let data: string;
  let stu: string;
  const client = os.hostname().split('.')[0]!;

  beforeAll(() => {
    home = OpenbpHome.create();
    data = fs.mkdtempSync(path.join(os.tmpdir(), 'obpdata-'));
    stu = fs.mkdtempSync(path.join(os.tmpdir(), 'obpstu-'));
    fs.writeFileSync(path.join(data, 'a.txt'), 'alpha\n');
  });

  afterAll(async () => {
    await home.destroy();
    fs.rmSync(data, { recursive: true, force: true });
    fs.rmSync(stu, { recursive: true, force: true });
  });

  it('backs up through a new policy to its own storage unit', async () => {
    await home.ok('bpstuadd', ['-label', 'polstu', '-path', stu]);
    await home.ok('bppolicynew', ['pol1']);
    await home.ok('bpplinfo', ['pol1', '-modify', '-residence', 'polstu', '-keyword', 'scenario']);
    await home.ok('bpplclients', ['pol1', '-add', client, 'Linux', 'Debian']);
    await home.ok('bpplinclude', ['pol1', '-add', data]);
    await home.ok('bpplsched', ['pol1', '-add', 'user', '-st', 'UBAK', '-rl', '2', '-window', '0', '86400']);
    const u = await home.ok('bppllist', ['pol1', '-U']);
    expect(u.stdout).toContain('  Residence:           polstu\n');
    expect(u.stdout).toContain(`  HW/OS/Client:  Linux         Debian        ${client}\n`);
    expect(u.stdout).toContain('  Schedule:              user\n    Type:                User Backup\n');
    const names = await home.ok('bppllist');
    expect(names.stdout.split('\n')).toEqual(expect.arrayContaining(['pol1', 'openbp-default']));
    const before = filesUnder(stu).length;
    const r = await home.run('bpbackup', ['-w', '-p', 'pol1', '-s', 'user', data]);
    if (r.code !== 0) throw new Error(`bpbackup exited ${r.code}\n${r.stdout}\n${r.stderr}\n${home.logTail()}`);
    expect(filesUnder(stu).length).toBeGreaterThan(before);
    const img = await home.ok('bpimagelist', ['-l', '-client', client]);
    expect(img.stdout).toContain('pol1');
  });

  it('refuses bad input with the NetBackup statuses', async () => {
    expect((await home.run('bppolicynew', ['pol1'])).code).toBe(133);
    expect((await home.run('bpplinfo', ['nope', '-L'])).code).toBe(230);
    expect((await home.run('bpplinfo', ['pol1', '-modify', '-residence', 'no_such_stu'])).code).toBe(219);
    expect((await home.run('bpplsched', ['pol1', '-modify', 'nosched', '-rl', '1'])).code).toBe(197);
    expect((await home.run('bpplsched', ['pol1', '-add', 'w', '-window', '0', 'xx'])).code).toBe(20);
    expect((await home.run('bpplclients', ['pol1', '-delete', 'not-a-client'])).code).toBe(239);
    expect((await home.run('bppldelete', ['nope'])).code).toBe(230);
    const r = await home.run('bpbackup', ['-w', '-p', 'pol1', '-s', 'nosched', data]);
    expect(r.code).toBe(197);
    const info = await home.ok('bpplinfo', ['pol1', '-U']);
    expect(info.stdout).toContain('  Residence:           polstu\n');
    await home.ok('bppldelete', ['pol1']);
    expect((await home.run('bppllist', ['pol1'])).code).toBe(230);
    expect((await home.ok('bpretlevel', ['-l'])).stdout.split('\n')[1]).toBe(' 1    1209600 2 weeks');
  });
});
