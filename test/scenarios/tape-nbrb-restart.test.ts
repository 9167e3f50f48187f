// nbrb SIGKILLed while a tape backup writes: the restarted nbrb rebuilds the job's allocation with its drive and
// volume, so a second backup to the same one-drive library waits for the drive instead of taking it (and the
// cartridge) from under the running job; both images land one after the other and restore identical.

import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { OpenbpHome } from '../helpers/openbp-home.js';
import { compareTrees } from '../helpers/compare-trees.js';
import { writeRealData } from '../helpers/slow-job.js';
import { setUpTapeLibrary, tapePolicy } from '../helpers/tape-library.js';

/** (media ID, tape file number) of each fragment of the policy's newest image. */
async function fragmentsOf(home: OpenbpHome, policy: string): Promise<Array<[string, number]>> {
  const out = (await home.ok('bpimagelist', ['-l', '-policy', policy])).stdout.split('\n');
  return out.filter((l) => l.startsWith('FRAG ')).map((l) => l.split(' ')).map((f) => [f[8]!, Number(f[7])]);
}

describe('nbrb restart during a tape backup', () => {
  let home: OpenbpHome;
  let base: string;

  beforeAll(() => {
    home = OpenbpHome.create();
    base = fs.mkdtempSync(path.join(os.tmpdir(), 'obprbr-'));
  });

  afterAll(async () => {
    await home.destroy();
    fs.rmSync(base, { recursive: true, force: true });
  });

  it('the running job keeps its drive and volume; the next job waits for them', async () => {
    const lib = await setUpTapeLibrary(home, { robot: 0, drives: 1, slots: 2, barcodes: 'R00000L5-R00001L5', capacity: '128M', unit: 'rst', cj: 2, mfs: 1 });
    // Neither the unit's job count nor the per-client limit holds the second job back: only the drive does.
    fs.writeFileSync(home.path('bp.conf'), 'MAX_JOBS_PER_CLIENT = 2\n');
    const slow = path.join(base, 'slow');
    const next = path.join(base, 'next');
    fs.mkdirSync(slow);
    fs.mkdirSync(next);
    writeRealData(path.join(slow, 'big'), 16);
    fs.writeFileSync(path.join(next, 'after.txt'), 'written after the restart\n');
    await tapePolicy(home, 'rslow', 'rst', slow);
    await tapePolicy(home, 'rnext', 'rst', next);
    fs.mkdirSync(home.path('db', 'config'), { recursive: true });
    fs.writeFileSync(home.path('db', 'config', 'SIZE_DATA_BUFFERS'), '4096\n');
    fs.writeFileSync(home.path('db', 'config', 'NUMBER_DATA_BUFFERS'), '2\n');

    const first = home.run('bpbackup', ['-w', '-p', 'rslow', '-s', 'user', slow]);
    const cart = `${lib}/cartridges/R00000L5.tap`;
    const deadline = Date.now() + 30_000;
    while (!(fs.existsSync(cart) && fs.statSync(cart).size > 1536 * 1024) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    expect(fs.statSync(cart).size).toBeGreaterThan(1536 * 1024);
    process.kill(Number(fs.readFileSync(home.path('run', 'nbrb.pid'), 'utf8')), 'SIGKILL');

    const second = home.run('bpbackup', ['-w', '-p', 'rnext', '-s', 'user', next]);
    const [a, b] = await Promise.all([home.within(first, 120_000, 'the first backup'), home.within(second, 120_000, 'the second backup')]);
    if (a.code !== 0 || b.code !== 0) throw new Error(`bpbackup exited ${a.code} / ${b.code}\n${a.stderr}\n${b.stderr}\n${home.logTail(40)}`);

    // The second image follows the first on the same cartridge: it was written once the drive was free.
    const slowFrags = await fragmentsOf(home, 'rslow');
    const nextFrags = await fragmentsOf(home, 'rnext');
    expect(slowFrags.length).toBeGreaterThan(1);
    expect(slowFrags.map(([m, f], i) => [m, f - i])).toEqual(slowFrags.map(() => ['R00000', 1]));
    expect(nextFrags).toEqual([['R00000', slowFrags.length + 1]]);
    const jobs = (await home.ok('bpdbjobs', ['-all_columns'])).stdout;
    expect(jobs).toContain('waiting for a drive');

    fs.rmSync(home.path('db', 'config', 'SIZE_DATA_BUFFERS'));
    fs.rmSync(home.path('db', 'config', 'NUMBER_DATA_BUFFERS'));
    for (const [from, name] of [[slow, 'slow-out'], [next, 'next-out']] as const) {
      const to = path.join(base, name);
      const renames = home.path(`rename-${name}`);
      fs.writeFileSync(renames, `change ${from} to ${to}\n`);
      const r = await home.run('bprestore', ['-w', '-R', renames, from]);
      if (r.code !== 0) throw new Error(`bprestore exited ${r.code}\n${r.stderr}\n${home.logTail()}`);
      expect(await compareTrees(from, to, { owners: process.getuid?.() === 0 })).toEqual([]);
    }
  });
});
