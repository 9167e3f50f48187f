// Files that shrink, grow or vanish while bpbkar backs them up: the job ends 1, every entry in the stream
// keeps the length its header says (a shrunken file padded, a grown one cut at its header's size), the
// try status lines in bpdbjobs -all_columns and bperror name each file and why, and what was saved restores.

import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { OpenbpHome } from '../helpers/openbp-home.js';
import { slowBuffers, writeRealData } from '../helpers/slow-job.js';
import { waitUntilOpen } from '../helpers/open-files.js';

const MIB = 1 << 20;

describe('files changing during a backup', () => {
  let home: OpenbpHome;
  let data: string;
  let out: string;

  beforeAll(async () => {
    home = OpenbpHome.create();
    data = fs.mkdtempSync(path.join(os.tmpdir(), 'obpchg-'));
    out = fs.mkdtempSync(path.join(os.tmpdir(), 'obpchg-out-'));
    fs.mkdirSync(path.join(data, 'a'));
    writeRealData(path.join(data, 'a', '1shrink'), 32);
    writeRealData(path.join(data, 'a', '2grow'), 32);
    fs.writeFileSync(path.join(data, 'a', '3vanish'), 'here at first\n');
    fs.writeFileSync(path.join(data, 'a', '4unchanged'), 'stays as it is\n');
    slowBuffers(home);
    await home.ok('bp.start_all');
  });

  afterAll(async () => {
    await home.destroy();
    fs.rmSync(data, { recursive: true, force: true });
    fs.rmSync(out, { recursive: true, force: true });
  });

  it('ends 1, names each file in the try status lines and bperror, and restores what it saved', async () => {
    const shrink = path.join(data, 'a', '1shrink');
    const grow = path.join(data, 'a', '2grow');
    const vanish = path.join(data, 'a', '3vanish');
    const original = fs.readFileSync(shrink);
    const backup = home.run('bpbackup', ['-w', data]);
    // bpbkar reads big files in 1 MiB pieces and waits on the slow ring between them: act while it is inside.
    expect(await waitUntilOpen(shrink, 30_000)).toBe(true);
    fs.truncateSync(shrink, 2 * MIB);
    expect(await waitUntilOpen(grow, 30_000)).toBe(true);
    fs.appendFileSync(grow, Buffer.alloc(3 * MIB, 0x77));
    fs.rmSync(vanish);
    const r = await home.within(backup, 60_000, 'bpbackup -w of changing files');
    expect([r.code, r.stderr]).toEqual([1, expect.stringContaining(`WRN - ${grow}: file grew`)]);

    const jobs = (await home.ok('bpdbjobs', ['-report', '-most_columns'])).stdout.trim().split('\n').map((l) => l.split(','));
    const jobid = jobs.find((j) => j[1] === '0')![0]!;
    const all = (await home.ok('bpdbjobs', ['-jobid', jobid, '-all_columns'])).stdout;
    expect(all).toMatch(new RegExp(`- WRN - ${shrink}: file shrank by \\d+ bytes while being read; padded with zeros`));
    expect(all).toContain(`- WRN - ${grow}: file grew by ${3 * MIB} bytes while being read; stored its first ${32 * MIB} bytes`);
    expect(all).toContain(`- WRN - ${vanish}: file vanished before it was read`);
    const problems = (await home.ok('bperror', ['-jobid', jobid, '-U'])).stdout;
    for (const f of [shrink, grow, vanish]) expect(problems).toMatch(new RegExp(`from client \\S+: WRN - ${f}: `));
    expect(problems).toContain('exited with status 1 (the requested operation was partially successful)');
    const raw = (await home.ok('bperror', ['-problems', '-hoursago', '1'])).stdout.trim().split('\n');
    expect(raw.filter((l) => l.split(' ')[5] === jobid && l.split(' ')[3] === '4').length).toBeGreaterThanOrEqual(4);

    const rename = home.path('rename');
    fs.writeFileSync(rename, `change ${data} to ${out}\n`);
    expect((await home.run('bprestore', ['-w', '-R', rename, data])).code).toBe(0);
    // The shrunken file keeps its header's length: what was read before the cut, then zeros.
    const shrunk = fs.readFileSync(path.join(out, 'a', '1shrink'));
    expect(shrunk.length).toBe(32 * MIB);
    const zero = Buffer.alloc(MIB);
    for (let i = 0; i < 32; i++) {
      const piece = shrunk.subarray(i * MIB, (i + 1) * MIB);
      expect(piece.equals(original.subarray(i * MIB, (i + 1) * MIB)) || piece.equals(zero)).toBe(true);
    }
    expect(shrunk.subarray(0, 2 * MIB).equals(original.subarray(0, 2 * MIB))).toBe(true);
    // The grown file is cut at its header's size.
    expect(fs.readFileSync(path.join(out, 'a', '2grow')).equals(fs.readFileSync(grow).subarray(0, 32 * MIB))).toBe(true);
    expect(fs.readFileSync(path.join(out, 'a', '4unchanged'), 'utf8')).toBe('stays as it is\n');
    expect(fs.existsSync(path.join(out, 'a', '3vanish'))).toBe(false);
  });
});
