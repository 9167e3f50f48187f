// A tape backup job's image, imported back from the cartridge alone: bpbackup -w writes it to a tape storage unit,
// bpexpdate takes it out of the catalogue, bpimport phases 1 and 2 rebuild it from the backup headers (policy and
// schedule as the job wrote them, not IMPORTED), and bprestore -w of the imported image gives back the original tree
// and counts as a read of the cartridge (mounts, last read, number of restores).

import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { OpenbpHome } from '../helpers/openbp-home.js';
import { makeFidelityTree } from '../helpers/make-tree.js';
import { compareTrees } from '../helpers/compare-trees.js';
import { CLIENT, setUpTapeLibrary, tapePolicy } from '../helpers/tape-library.js';

const isRoot = process.getuid?.() === 0;

/** The IMAGE line of bpimagelist -l for one backup ID, split into fields (or undefined: not in the catalogue). */
async function imageLine(home: OpenbpHome, backupid: string): Promise<string[] | undefined> {
  const r = await home.run('bpimagelist', ['-l', '-backupid', backupid]);
  return r.stdout.split('\n').find((l) => l.startsWith('IMAGE '))?.split(' ');
}

describe('tape backup job imported back from its cartridge', () => {
  let home: OpenbpHome;
  let base: string;
  let src: string;

  beforeAll(async () => {
    home = OpenbpHome.create();
    base = fs.mkdtempSync(path.join(os.tmpdir(), 'obpimp-'));
    src = path.join(base, 'tree');
    await makeFidelityTree(src, { bigFileMiB: 1 });
    await setUpTapeLibrary(home, { robot: 0, drives: 1, slots: 2, barcodes: 'A00000L5-A00001L5', capacity: '64M', unit: 'tape0', mfs: 1 });
    await tapePolicy(home, 'imppol', 'tape0', src);
  });

  afterAll(async () => {
    await home.destroy();
    fs.rmSync(base, { recursive: true, force: true });
  });

  it('backs up, expires, imports (phase 1, 2) with the policy and schedule, and restores identical', async () => {
    const b = await home.run('bpbackup', ['-w', '-p', 'imppol', '-s', 'user', src]);
    if (b.code !== 0) throw new Error(`bpbackup exited ${b.code}\n${b.stdout}\n${b.stderr}\n${home.logTail()}`);
    const ids = (await home.ok('bpimagelist', ['-l', '-policy', 'imppol'])).stdout.split('\n').filter((l) => l.startsWith('IMAGE '));
    expect(ids).toHaveLength(1);
    const original = ids[0]!.split(' ');
    const backupid = original[5]!;
    const listing = (await home.ok('bplist', ['-C', CLIENT, '-R', '-l', src])).stdout;
    expect(listing).toContain('b10240');

    await home.ok('bpexpdate', ['-backupid', backupid, '-d', '0', '-force']);
    expect(await imageLine(home, backupid)).toBeUndefined();
    // Expiry left the cartridge's contents alone: its headers still describe the image.
    const c = (await home.ok('bpmedialist', ['-mcontents', '-m', 'A00000'])).stdout;
    expect(c).toContain(`File number 1\n  Backup id = ${backupid}\n`);

    const p1 = await home.ok('bpimport', ['-create_db_info', '-id', 'A00000']);
    expect(p1.stdout).toContain(`${backupid}: ready to import`);
    expect((await home.ok('bpimport', ['-p', '-id', 'A00000'])).stdout).toMatch(new RegExp(` imppol +user +${backupid} `));
    const p2 = await home.ok('bpimport', ['-backupid', backupid]);
    expect(p2.stdout).toContain(`Imported ${backupid}: `);

    // IMAGE client date1 date2 version backupid policy(6) client_type(7) proxy creator sched_label(10) sched_type(11)
    const imported = (await imageLine(home, backupid))!;
    expect(imported[6]).toBe('imppol');
    expect(imported[7]).toBe(original[7]);
    expect(imported[10]).toBe('user');
    expect(imported[11]).toBe(original[11]);
    expect(original[11]).toBe('2'); // UBAK
    expect((await home.ok('bplist', ['-C', CLIENT, '-R', '-l', src])).stdout).toBe(listing);

    expect((await home.ok('bpmedialist', ['-mlist', '-L', '-m', 'A00000'])).stdout).toContain('num_restores = 0\n');
    const mountsBefore = Number(/^number of mounts: +(\d+)$/m.exec((await home.ok('vmquery', ['-m', 'A00000'])).stdout)![1]);
    const dst = path.join(base, 'restored');
    const renames = home.path('rename-import');
    fs.writeFileSync(renames, `change ${src} to ${dst}\n`);
    const r = await home.run('bprestore', ['-w', '-R', renames, src]);
    if (r.code !== 0) throw new Error(`bprestore exited ${r.code}\n${r.stdout}\n${r.stderr}\n${home.logTail()}`);
    expect(await compareTrees(src, dst, { owners: isRoot })).toEqual([]);
    // The restore read the cartridge: nbemm counts it (vmquery -m, bpmedialist -mlist -L).
    const q = (await home.ok('vmquery', ['-m', 'A00000'])).stdout;
    expect(q).toContain(`number of mounts:      ${mountsBefore + 1}\n`);
    expect(q).not.toMatch(/^last mounted: +---/m);
    const L = (await home.ok('bpmedialist', ['-mlist', '-L', '-m', 'A00000'])).stdout;
    expect(L).toContain('num_restores = 1\n');
    expect(L).toMatch(/last_read = .* \(\d{9,}\)/);
  });
});
