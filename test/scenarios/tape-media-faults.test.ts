// Tape media on the edge, with the real binaries: an image spanning three small cartridges (and a one-file
// restore from the middle one), a write-protected cartridge, no media left (96), every drive down (2001),
// and a bptm SIGKILLed mid-write (the cartridge and catalogue stay usable, the next backup appends).

import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { OpenbpHome } from '../helpers/openbp-home.js';
import { compareTrees } from '../helpers/compare-trees.js';
import { writeRealData } from '../helpers/slow-job.js';
import { processesOfHome, type HomeProcess } from '../helpers/open-files.js';
import { cartridgeCounters, setUpTapeLibrary, tapePolicy } from '../helpers/tape-library.js';

async function fragmentsOf(home: OpenbpHome, policy: string): Promise<{ fragment: number; mediaId: string; fileNumber: number }[]> {
  const out = (await home.ok('bpimagelist', ['-l', '-policy', policy])).stdout.split('\n');
  const first = out.findIndex((l) => l.startsWith('IMAGE '));
  const rest = out.slice(first + 1);
  const next = rest.findIndex((l) => l.startsWith('IMAGE '));
  return (next < 0 ? rest : rest.slice(0, next))
    .filter((l) => l.startsWith('FRAG '))
    .map((l) => l.split(' '))
    .map((f) => ({ fragment: Number(f[2]), mediaId: f[8]!, fileNumber: Number(f[7]) }));
}

async function mustRun(home: OpenbpHome, name: string, args: string[]): Promise<void> {
  const r = await home.run(name, args);
  if (r.code !== 0) throw new Error(`${name} exited ${r.code}\n${r.stdout}\n${r.stderr}\n${home.logTail()}`);
}

async function restoreInto(home: OpenbpHome, from: string, to: string, what = from): Promise<void> {
  const renameFile = home.path(`rename-${path.basename(to)}`);
  fs.writeFileSync(renameFile, `change ${from} to ${to}\n`);
  await mustRun(home, 'bprestore', ['-w', '-R', renameFile, what]);
}

describe('tape media faults (real daemons, virtual tape library)', () => {
  let home: OpenbpHome;
  let base: string;
  let dst: string;

  beforeAll(async () => {
    home = OpenbpHome.create();
    base = fs.mkdtempSync(path.join(os.tmpdir(), 'obptape-'));
    dst = fs.mkdtempSync(path.join(os.tmpdir(), 'obptdst-'));
  });

  afterAll(async () => {
    await home.destroy();
    fs.rmSync(base, { recursive: true, force: true });
    fs.rmSync(dst, { recursive: true, force: true });
  });

  it('spans an image over three small cartridges and restores one file from the middle one', async () => {
    // 1 MiB cartridges with early warning 256 KiB before the end: about 768 KiB of data each.
    const lib = await setUpTapeLibrary(home, { robot: 1, drives: 1, slots: 4, barcodes: 'S00000L5-S00002L5', capacity: '1M', earlyWarning: '256K', unit: 'span', mfs: 1 });
    const src = path.join(base, 'span');
    fs.mkdirSync(src);
    for (let i = 0; i < 8; i++) fs.writeFileSync(path.join(src, `part${i}.bin`), crypto.randomBytes(256 * 1024));
    await tapePolicy(home, 'spanpol', 'span', src);
    await mustRun(home, 'bpbackup', ['-w', '-p', 'spanpol', '-s', 'user', src]);
    const frags = await fragmentsOf(home, 'spanpol');
    expect([...new Set(frags.map((f) => f.mediaId))]).toEqual(['S00000', 'S00001', 'S00002']);
    // The first two cartridges were closed at early warning and are FULL; the last one is not.
    for (const id of ['S00000', 'S00001']) expect((await home.ok('bpmedialist', ['-mlist', '-L', '-m', id])).stdout).toMatch(/status = 0x8\b/);
    expect((await home.ok('bpmedialist', ['-mlist', '-L', '-m', 'S00002'])).stdout).not.toMatch(/status = 0x8\b/);
    await restoreInto(home, src, path.join(dst, 'span-all'));
    expect(await compareTrees(src, path.join(dst, 'span-all'), { owners: false })).toEqual([]);

    // part4 (stream bytes ~1.0-1.25 MiB) lies wholly on the middle cartridge: only that one is read.
    const before = ['S00000L5', 'S00001L5', 'S00002L5'].map((b) => cartridgeCounters(lib, b).bytesReadLife);
    await restoreInto(home, src, path.join(dst, 'span-one'), path.join(src, 'part4.bin'));
    expect(fs.readFileSync(path.join(dst, 'span-one', 'part4.bin'))).toEqual(fs.readFileSync(path.join(src, 'part4.bin')));
    const after = ['S00000L5', 'S00001L5', 'S00002L5'].map((b) => cartridgeCounters(lib, b).bytesReadLife);
    expect(after[0]).toBe(before[0]);
    expect(after[2]).toBe(before[2]);
    expect(after[1]! - before[1]!).toBeGreaterThan(256 * 1024);
  });

  it('a drive marked down leaves no drive: 2001; back up, a write-protected cartridge is passed over and frozen', async () => {
    const lib = await setUpTapeLibrary(home, { robot: 2, drives: 1, slots: 3, barcodes: 'E00000L5-E00001L5', capacity: '16M', unit: 'edge' });
    const src = path.join(base, 'edge');
    fs.mkdirSync(src);
    fs.writeFileSync(path.join(src, 'a.txt'), 'edge case\n');
    await tapePolicy(home, 'edgepol', 'edge', src);
    const devices = JSON.parse((await home.ok('tpconfig', ['-d', '--json'])).stdout) as { drives: { index: number; path: string }[] };
    const drive = String(devices.drives.find((d) => d.path === `${lib}/drive0`)!.index);
    await home.ok('vmoprcmd', ['-down', drive]);
    const down = await home.within(home.run('bpbackup', ['-w', '-p', 'edgepol', '-s', 'user', src]), 30_000, 'bpbackup with every drive down');
    expect(down.code).toBe(252);
    expect(down.stderr).toContain('EXIT status = 2001');
    await home.within(home.ok('vmoprcmd', ['-up', drive]), 30_000, 'vmoprcmd -up');

    await home.ok('vtladm', ['write-protect', lib, 'E00000L5', 'on']);
    await home.within(mustRun(home, 'bpbackup', ['-w', '-p', 'edgepol', '-s', 'user', src]), 30_000, 'bpbackup past a write-protected cartridge');
    expect((await fragmentsOf(home, 'edgepol')).map((f) => f.mediaId)).toEqual(['E00001']);
    expect((await home.ok('bpmedialist', ['-mlist', '-L', '-m', 'E00000'])).stdout).toMatch(/status = 0x1\b/);
  });

  it('with only a write-protected cartridge left the job fails 96 and the cartridge stays frozen', async () => {
    // E00001 (the good one) is frozen by hand; E00000 is unfrozen but still write-protected.
    await home.ok('bpmedia', ['-freeze', '-m', 'E00001']);
    await home.ok('bpmedia', ['-unfreeze', '-m', 'E00000']);
    const r = await home.run('bpbackup', ['-w', '-p', 'edgepol', '-s', 'user', path.join(base, 'edge')]);
    expect(r.code).toBe(96);
    expect((await home.ok('bpmedialist', ['-mlist', '-L', '-m', 'E00000'])).stdout).toMatch(/status = 0x1\b/);
    // And nothing at all left for a new pool: 96 straight from the allocation.
    await home.ok('vmpool', ['-add', 'Empty']);
    await home.ok('bpplinfo', ['edgepol', '-modify', '-pool', 'Empty']);
    const none = await home.run('bpbackup', ['-w', '-p', 'edgepol', '-s', 'user', path.join(base, 'edge')]);
    expect(none.code).toBe(96);
    const jobs = (await home.ok('bpdbjobs', ['-report'])).stdout;
    expect(jobs).toMatch(/\b96\b/);
  });

  it('a bptm SIGKILLed mid-write ends the job with a status; the cartridge takes the next image and both older images restore', async () => {
    const lib = await setUpTapeLibrary(home, { robot: 3, drives: 1, slots: 2, barcodes: 'K00000L5', capacity: '64M', unit: 'kill', mfs: 1 });
    const first = path.join(base, 'first');
    const slow = path.join(base, 'slow');
    const next = path.join(base, 'next');
    for (const d of [first, slow, next]) fs.mkdirSync(d);
    fs.writeFileSync(path.join(first, 'one.txt'), 'before the kill\n');
    fs.writeFileSync(path.join(next, 'three.txt'), 'after the kill\n');
    writeRealData(path.join(slow, 'big'), 32);
    await tapePolicy(home, 'killfirst', 'kill', first);
    await tapePolicy(home, 'killslow', 'kill', slow);
    await tapePolicy(home, 'killnext', 'kill', next);
    await mustRun(home, 'bpbackup', ['-w', '-p', 'killfirst', '-s', 'user', first]);

    // Tiny tape buffers: the job spends its time in the ring and writes several fragments.
    fs.mkdirSync(home.path('db', 'config'), { recursive: true });
    fs.writeFileSync(home.path('db', 'config', 'SIZE_DATA_BUFFERS'), '4096\n');
    fs.writeFileSync(home.path('db', 'config', 'NUMBER_DATA_BUFFERS'), '2\n');
    const backup = home.run('bpbackup', ['-w', '-p', 'killslow', '-s', 'user', slow]);
    let victim: HomeProcess | undefined;
    const deadline = Date.now() + 30_000;
    while (!victim && Date.now() < deadline) {
      // Straight from /proc (a bpps run is too slow on a loaded machine: the job could end meanwhile).
      const ps = processesOfHome(home.root);
      const parent = ps.find((p) => p.name === 'bptm' && ps.some((c) => c.name === 'bptm' && c.ppid === p.pid));
      // Kill once the second fragment is being written (the first 1 MiB fragment is on tape).
      if (parent && fs.statSync(`${lib}/cartridges/K00000L5.tap`).size > 1536 * 1024) victim = parent;
      if (!victim) await new Promise((r) => setTimeout(r, 10));
    }
    expect(victim).toBeDefined();
    process.kill(victim!.pid, 'SIGKILL');
    const killed = await home.within(backup, 60_000, 'bpbackup -w after killing bptm');
    expect(killed.code).not.toBe(0);
    expect(killed.stderr).toMatch(/EXIT STATUS \d+: /);
    expect((await home.run('bpimagelist', ['-l', '-policy', 'killslow'])).code).toBe(227); // no image: the killed one is gone
    fs.rmSync(home.path('db', 'config', 'SIZE_DATA_BUFFERS'));
    fs.rmSync(home.path('db', 'config', 'NUMBER_DATA_BUFFERS'));

    await mustRun(home, 'bpbackup', ['-w', '-p', 'killnext', '-s', 'user', next]);
    const [firstFrag] = await fragmentsOf(home, 'killfirst');
    const [nextFrag] = await fragmentsOf(home, 'killnext');
    expect(nextFrag!.mediaId).toBe('K00000');
    expect(nextFrag!.fileNumber).toBeGreaterThan(firstFrag!.fileNumber + 1); // after the killed image's files
    await restoreInto(home, first, path.join(dst, 'first'));
    await restoreInto(home, next, path.join(dst, 'next'));
    expect(fs.readFileSync(path.join(dst, 'first', 'one.txt'), 'utf8')).toBe('before the kill\n');
    expect(fs.readFileSync(path.join(dst, 'next', 'three.txt'), 'utf8')).toBe('after the kill\n');
  });
});
