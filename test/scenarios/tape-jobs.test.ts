// Backups and restores on tape with the real binaries: a virtual library configured with vtladm, tpconfig and
// vmupdate; a tape storage unit; images appended on one cartridge, restored byte and attribute for attribute,
// and read back with GNU tar straight from the cartridge.

import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { execa } from 'execa';
import { OpenbpHome } from '../helpers/openbp-home.js';
import { makeFidelityTree } from '../helpers/make-tree.js';
import { compareTrees } from '../helpers/compare-trees.js';
import { cartridgeCounters, setUpTapeLibrary, tapePolicy } from '../helpers/tape-library.js';
import crypto from 'node:crypto';

const isRoot = process.getuid?.() === 0;

interface Frag {
  fragment: number;
  mediaId: string;
  fileNumber: number;
}

/** FRAG lines of bpimagelist -l for one backup id: fragment number, media ID, tape file number. */
async function fragmentsOf(home: OpenbpHome, backupid: string): Promise<Frag[]> {
  const out = (await home.ok('bpimagelist', ['-l', '-backupid', backupid])).stdout;
  return out
    .split('\n')
    .filter((l) => l.startsWith('FRAG '))
    .map((l) => l.split(' '))
    .map((f) => ({ fragment: Number(f[2]), mediaId: f[8]!, fileNumber: Number(f[7]) }));
}

async function newestBackupId(home: OpenbpHome, policy: string): Promise<string> {
  const out = (await home.ok('bpimagelist', ['-l', '-policy', policy])).stdout;
  const ids = out.split('\n').filter((l) => l.startsWith('IMAGE ')).map((l) => l.split(' ')[5]!);
  return ids[0]!;
}

describe('tape jobs (real daemons, virtual tape library)', () => {
  let home: OpenbpHome;
  let lib: string;
  let srcBase: string;
  let dstBase: string;
  let src: string;
  let small: string;
  let big: string;

  beforeAll(async () => {
    home = OpenbpHome.create();
    srcBase = fs.mkdtempSync(path.join(os.tmpdir(), 'obpsrc-'));
    dstBase = fs.mkdtempSync(path.join(os.tmpdir(), 'obpdst-'));
    src = path.join(srcBase, 'tree');
    small = path.join(srcBase, 'small');
    fs.mkdirSync(src);
    fs.mkdirSync(small);
    await makeFidelityTree(src, { bigFileMiB: 2 }); // small: several 1 MiB fragments, the suite stays fast
    fs.writeFileSync(path.join(src, 'plain.txt'), 'the original contents\n');
    for (let i = 0; i < 5; i++) fs.writeFileSync(path.join(small, `note${i}.txt`), `note ${i}\n`.repeat(100 + i));
    big = path.join(srcBase, 'big');
    fs.mkdirSync(big);
    fs.writeFileSync(path.join(big, 'random.bin'), crypto.randomBytes(1536 * 1024));
    lib = await setUpTapeLibrary(home, { robot: 0, drives: 2, slots: 4, barcodes: 'A00000L5-A00003L5', capacity: '64M', unit: 'tape0', mfs: 1 });
    await tapePolicy(home, 'tapepol', 'tape0', src);
    await tapePolicy(home, 'smallpol', 'tape0', small);
    await tapePolicy(home, 'bigpol', 'tape0', big);
  });

  afterAll(async () => {
    await home.destroy();
    fs.rmSync(srcBase, { recursive: true, force: true });
    fs.rmSync(dstBase, { recursive: true, force: true });
  });

  it('lists the tape storage unit in NetBackup layouts', async () => {
    const u = await home.ok('bpstulist', ['-label', 'tape0', '-U']);
    expect(u.stdout).toContain('Storage Unit Type:    Media Manager\n');
    expect(u.stdout).toContain('Density:              hcart3 - 1/2 Inch Cartridge 3\n');
    expect(u.stdout).toContain('Robot Type/Number:    TLD / 0\n');
    expect(u.stdout).toContain('Number of Drives:     2\n');
    expect((await home.ok('bpstulist', ['-label', 'tape0'])).stdout).toMatch(/^tape0 2 \S+ 8 0 20 2 /);
  });

  it('backs up a fidelity tree to tape and restores it identical', async () => {
    const r = await home.run('bpbackup', ['-w', '-p', 'tapepol', '-s', 'user', src]);
    if (r.code !== 0) throw new Error(`bpbackup exited ${r.code}\n${r.stdout}\n${r.stderr}\n${home.logTail()}`);
    const id = await newestBackupId(home, 'tapepol');
    const frags = await fragmentsOf(home, id);
    expect(frags.length).toBeGreaterThan(0);
    expect(frags.map((f) => f.mediaId)).toEqual(frags.map(() => 'A00000'));
    // File 0 is the media header: the image's fragments are tape files 1, 2, ...
    expect(frags.map((f) => f.fileNumber)).toEqual(frags.map((_, i) => i + 1));
    // The scratch volume moved into the policy's pool and counts the image.
    const q = (await home.ok('vmquery', ['-m', 'A00000'])).stdout;
    expect(q).toContain('volume pool:           NetBackup (1)\n');
    const L = (await home.ok('bpmedialist', ['-mlist', '-L', '-m', 'A00000'])).stdout;
    expect(L).toMatch(/nimages = 1\b/);

    const dst = path.join(dstBase, 'tree');
    const renameFile = home.path('rename1');
    fs.writeFileSync(renameFile, `change ${src} to ${dst}\n`);
    const rr = await home.run('bprestore', ['-w', '-R', renameFile, src]);
    if (rr.code !== 0) throw new Error(`bprestore exited ${rr.code}\n${rr.stdout}\n${rr.stderr}\n${home.logTail()}`);
    expect(await compareTrees(src, dst, { owners: isRoot })).toEqual([]);

    // A bprd child ran the tape restore: it submitted the job and, once the job ended, removed the
    // neededimage file and its request.
    const bprdLog = fs.readdirSync(home.path('logs', 'bprd')).map((f) => fs.readFileSync(home.path('logs', 'bprd', f), 'utf8')).join('');
    expect(bprdLog).toMatch(/restore child pid \d+ started/);
    expect(bprdLog).toMatch(/restore child \d+: jobs \d+ reading 1 neededimage file/);
    const restoreDir = home.path('run', 'restore');
    for (let i = 0; i < 100 && fs.existsSync(restoreDir) && fs.readdirSync(restoreDir).length > 0; i++) await new Promise((r) => setTimeout(r, 100));
    expect(fs.existsSync(restoreDir) ? fs.readdirSync(restoreDir) : []).toEqual([]);
  });

  it('appends a second image on the same cartridge; both restore', async () => {
    const before = await fragmentsOf(home, await newestBackupId(home, 'tapepol'));
    const r = await home.run('bpbackup', ['-w', '-p', 'smallpol', '-s', 'user', small]);
    if (r.code !== 0) throw new Error(`bpbackup exited ${r.code}\n${r.stdout}\n${r.stderr}\n${home.logTail()}`);
    const frags = await fragmentsOf(home, await newestBackupId(home, 'smallpol'));
    expect(frags).toEqual([{ fragment: 1, mediaId: 'A00000', fileNumber: before.length + 1 }]);
    expect((await home.ok('bpmedialist', ['-mlist', '-L', '-m', 'A00000'])).stdout).toMatch(/nimages = 2\b/);

    // The new image whole; from the first image (already restored whole above) one file, which now sits
    // before another image on the cartridge.
    const oneFile = 'plain.txt';
    for (const [from, name, what] of [[small, 'small2', small], [src, 'tree2', path.join(src, oneFile)]] as const) {
      const dst = path.join(dstBase, name);
      const renameFile = home.path(`rename-${name}`);
      fs.writeFileSync(renameFile, `change ${from} to ${dst}\n`);
      const rr = await home.run('bprestore', ['-w', '-R', renameFile, what]);
      if (rr.code !== 0) throw new Error(`bprestore exited ${rr.code}\n${rr.stdout}\n${rr.stderr}\n${home.logTail()}`);
    }
    expect(await compareTrees(small, path.join(dstBase, 'small2'), { owners: isRoot })).toEqual([]);
    expect(fs.readFileSync(path.join(dstBase, 'tree2', oneFile))).toEqual(fs.readFileSync(path.join(src, oneFile)));
  });

  it('verifies a tape image: bpverify reads it back whole from the cartridge', async () => {
    const id = await newestBackupId(home, 'tapepol');
    const r = await home.run('bpverify', ['-w', '-backupid', id]);
    if (r.code !== 0) throw new Error(`bpverify exited ${r.code}\n${r.stdout}\n${r.stderr}\n${home.logTail()}`);
  });

  it('reads an image back with GNU tar straight from the cartridge (vtladm cat)', async () => {
    const [frag] = await fragmentsOf(home, await newestBackupId(home, 'smallpol'));
    // The tape file starts with the 1024-byte backup header record: skip it, the rest is the tar stream.
    const cat = await home.ok('vtladm', ['cat', lib, 'A00000L5', '--file', String(frag!.fileNumber), '--skip-records', '1']);
    const listing = await execa('tar', ['-tf', '-'], { input: cat.stdoutBytes });
    const names = listing.stdout.split('\n').filter((n) => n.endsWith('.txt')).map((n) => path.basename(n)).sort();
    expect(names).toEqual(['note0.txt', 'note1.txt', 'note2.txt', 'note3.txt', 'note4.txt']);
  });

  it('restores one file of the middle image of three on a cartridge, reading no other image', async () => {
    const r = await home.run('bpbackup', ['-w', '-p', 'bigpol', '-s', 'user', big]);
    if (r.code !== 0) throw new Error(`bpbackup exited ${r.code}\n${r.stdout}\n${r.stderr}\n${home.logTail()}`);
    const bigFrags = await fragmentsOf(home, await newestBackupId(home, 'bigpol'));
    expect(new Set(bigFrags.map((f) => f.mediaId))).toEqual(new Set(['A00000']));
    expect(bigFrags.length).toBe(2); // 1.5 MiB in 1 MiB fragments
    const [smallFrag] = await fragmentsOf(home, await newestBackupId(home, 'smallpol'));
    const before = cartridgeCounters(lib, 'A00000L5').bytesReadLife;
    const dst = path.join(dstBase, 'one');
    const renameFile = home.path('rename-one');
    fs.writeFileSync(renameFile, `change ${small} to ${dst}\n`);
    const rr = await home.run('bprestore', ['-w', '-R', renameFile, path.join(small, 'note3.txt')]);
    if (rr.code !== 0) throw new Error(`bprestore exited ${rr.code}\n${rr.stdout}\n${rr.stderr}\n${home.logTail()}`);
    expect(fs.readFileSync(path.join(dst, 'note3.txt'))).toEqual(fs.readFileSync(path.join(small, 'note3.txt')));
    expect(fs.readdirSync(dst)).toEqual(['note3.txt']);
    // The drive spaced straight to the small image's tape file and read its header and data only: far less
    // than the fidelity tree before it or the 1.5 MiB image after it.
    const read = cartridgeCounters(lib, 'A00000L5').bytesReadLife - before;
    expect(read).toBeGreaterThan(0);
    expect(read).toBeLessThan(64 * 1024);
    const bptmLog = fs.readdirSync(home.path('logs', 'bptm')).map((f) => fs.readFileSync(home.path('logs', 'bptm', f), 'utf8')).join('');
    expect(bptmLog).toContain(`positioned to tape file ${smallFrag!.fileNumber} of A00000 (fragment 1)`);
  });
});
