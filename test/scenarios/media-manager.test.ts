// The media manager with the real binaries: a virtual library is configured (tpconfig), inventoried (vmupdate),
// queried (vmquery, bpmedialist), changed (vmpool, vmchange, bpmedia, vmoprcmd), and bad input gets NetBackup's statuses.

import { OpenbpHome } from '../helpers/openbp-home.js';

describe('media manager', () => {
  let home: OpenbpHome;
  let lib: string;

  beforeAll(() => {
    home = OpenbpHome.create();
    lib = home.path('vtl');
  });

  afterAll(async () => {
    await home.destroy();
  });

  it('configures, inventories and queries a 10-slot library', async () => {
    await home.ok('vtladm', ['create', lib, '--slots', '10', '--drives', '2', '--barcodes', 'A00000L5-A00009L5', '--capacity', '64M']);
    await home.ok('tpconfig', ['-add', '-robot', '0', '-robtype', 'TLD', '-robpath', lib]);
    for (const n of [0, 1]) {
      await home.ok('tpconfig', ['-add', '-drive', '-type', 'hcart3', '-path', `${lib}/drive${n}`, '-robot', '0', '-robtype', 'TLD', '-robdrnum', String(n)]);
    }
    const d = await home.ok('tpconfig', ['-d']);
    expect(d.stdout).toContain('0   HCART3.000          hcart3 TLD(0)  DRIVE=0');
    expect(d.stdout).toContain(`  TLD(0)     robotic path = ${lib}`);
    expect((await home.ok('vmupdate', ['-rt', 'TLD', '-rn', '0'])).stdout).toContain('10 added');
    const rows = (await home.ok('vmquery', ['-a', '-w'])).stdout.split('\n').slice(3).filter(Boolean).map((l) => l.split(/\s+/));
    expect(rows.map((f) => [f[0], f[3], f[6], f[8], f[11]])).toEqual(
      Array.from({ length: 10 }, (_, i) => [`A0000${i}`, `A0000${i}L5`, 'TLD', String(i + 1), 'Scratch']),
    );
    expect((await home.ok('vmquery', ['-m', 'A00007'])).stdout).toContain('robot slot:            8\n');
  });

  it('moves a volume to a user pool and freezes another', async () => {
    await home.ok('vmpool', ['-add', 'Weekly']);
    await home.ok('vmchange', ['-pn', 'Weekly', '-m', 'A00002']);
    expect((await home.ok('vmquery', ['-m', 'A00002'])).stdout).toContain('volume pool:           Weekly (4)\n');
    expect((await home.ok('vmquery', ['-pn', 'Scratch', '-w'])).stdout).not.toContain('A00002');
    await home.ok('bpmedia', ['-freeze', '-m', 'A00003']);
    const u = await home.ok('bpmedialist', ['-mlist', '-U']);
    expect(u.stdout).toMatch(/^A00003 .*\n +0 +N\/A +N\/A +FROZEN\n/m);
    expect((await home.ok('bpmedialist', ['-mlist', '-L', '-m', 'A00003'])).stdout).toContain('status = 0x1, FROZEN');
  });

  it('takes a drive down', async () => {
    await home.ok('vmoprcmd', ['-down', '1']);
    const d = await home.ok('vmoprcmd', ['-d']);
    expect(d.stdout).toMatch(/^ {2}1 hcart3 DOWN-TLD/m);
    expect((await home.ok('tpconfig', ['-d'])).stdout).toMatch(/drive1 +DOWN$/m);
  });

  it('refuses bad input with NetBackup statuses', async () => {
    expect((await home.run('vmquery', ['-m', 'Z99999'])).code).toBe(95);
    expect((await home.run('bpmedialist', ['-m', 'A0000000'])).code).toBe(171);
    expect((await home.run('vmchange', ['-pn', 'NoSuchPool', '-m', 'A00001'])).code).toBe(167);
    expect((await home.run('vmupdate', ['-rt', 'TLD'])).code).toBe(20);
    expect((await home.run('tpconfig', ['-add', '-robot', '1', '-robtype', 'TLD', '-robpath', home.path('nolib')])).code).toBe(20);
  });
});
