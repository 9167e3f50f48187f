// Incrementals on the real daemons: full, differential, cumulative (bpbackup -i), then a restore at each
// backup time rebuilds the tree exactly as it was — edits, renames, chmods, and deleted files staying deleted.

import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { execFileSync } from 'node:child_process';
import { OpenbpHome } from '../helpers/openbp-home.js';
import { compareTrees } from '../helpers/compare-trees.js';
import { formatNbDateTime } from '../../src/cli/dates.js';
import { callDaemon } from '../../src/cli/daemon-call.js';
import { homeAt } from '../../src/config/home.js';
import { bpdbm } from '../../src/protocol/bpdbm.js';

describe('incremental backups and point-in-time restore', () => {
  let home: OpenbpHome;
  let work: string;
  let data: string;
  const taken: Array<{ label: string; time: number; snapshot: string; backupid: string; schedType: string; numFiles: number }> = [];

  beforeAll(async () => {
    home = OpenbpHome.create();
    work = fs.mkdtempSync(path.join(os.tmpdir(), 'obpinc-'));
    data = path.join(work, 'data');
    fs.mkdirSync(path.join(data, 'sub', 'deep'), { recursive: true });
    fs.writeFileSync(path.join(data, 'edit.txt'), 'version 1\n');
    fs.writeFileSync(path.join(data, 'keep.txt'), 'never changes\n');
    fs.writeFileSync(path.join(data, 'old-name.txt'), 'renamed later\n');
    fs.writeFileSync(path.join(data, 'doomed.txt'), 'deleted after the full\n');
    fs.writeFileSync(path.join(data, 'sub', 'mode.txt'), 'chmod later\n');
    fs.writeFileSync(path.join(data, 'sub', 'deep', 'later.txt'), 'edited before the cumulative\n');
    fs.symlinkSync('keep.txt', path.join(data, 'link'));
    await home.ok('bpstulist'); // starts the daemons
    const h = homeAt(home.root);
    const def = await callDaemon(h, bpdbm.getPolicy, { name: 'openbp-default' });
    await callDaemon(h, bpdbm.putPolicy, {
      create: true,
      policy: {
        ...def,
        name: 'incr-test',
        include: [data],
        schedules: [
          { name: 'full', type: 'FULL', retentionLevel: 1, frequencySeconds: 604800 },
          { name: 'diff', type: 'INCR', retentionLevel: 1, frequencySeconds: 86400 },
          { name: 'cumul', type: 'CINC', retentionLevel: 1, frequencySeconds: 86400 },
        ],
        created: Math.floor(Date.now() / 1000),
      },
    });
  });

  afterAll(async () => {
    await home.destroy();
    fs.rmSync(work, { recursive: true, force: true });
  });

  async function backup(schedule: string): Promise<void> {
    await new Promise((r) => setTimeout(r, 1100)); // backup times are whole seconds
    const r = await home.run('bpbackup', ['-i', '-p', 'incr-test', '-s', schedule, '-w']);
    if (r.code !== 0) throw new Error(`bpbackup -i -s ${schedule}: ${r.code}\n${r.stdout}\n${r.stderr}\n${home.logTail()}`);
    const snapshot = path.join(work, `snap-${schedule}`);
    execFileSync('cp', ['-a', data, snapshot]);
    const l = await home.ok('bpimagelist', ['-l']);
    const image = l.stdout.split('\n').find((x) => x.startsWith('IMAGE '))!.split(' ');
    const h = homeAt(home.root);
    const { images } = await callDaemon(h, bpdbm.listImages, { backupid: image[5]! });
    taken.push({ label: schedule, time: Number(image[13]), snapshot, backupid: image[5]!, schedType: images[0]!.schedType, numFiles: images[0]!.numFiles });
  }

  it('runs a full, a differential and a cumulative backup', async () => {
    await backup('full');
    fs.writeFileSync(path.join(data, 'edit.txt'), 'version 2, longer\n');
    fs.renameSync(path.join(data, 'old-name.txt'), path.join(data, 'new-name.txt'));
    fs.rmSync(path.join(data, 'doomed.txt'));
    fs.chmodSync(path.join(data, 'sub', 'mode.txt'), 0o600);
    await backup('diff');
    fs.writeFileSync(path.join(data, 'sub', 'deep', 'later.txt'), 'edited before the cumulative, now\n');
    await backup('cumul');
    expect(taken.map((t) => t.schedType)).toEqual(['FULL', 'INCR', 'CINC']);
  });

  it('records every file in an incremental but writes only what changed', async () => {
    const h = homeAt(home.root);
    const inImage = async (backupid: string) => {
      const out = new Map<string, number>();
      let start: number | undefined = 0;
      while (start !== undefined) {
        const p: { files: Array<{ path: string; type: string; inImage?: number }>; next?: number } = await callDaemon(h, bpdbm.imageFiles, { backupid, start, count: 3 });
        for (const f of p.files) if (f.path.startsWith(data)) out.set(path.relative(data, f.path) || '.', f.inImage ?? 1);
        start = p.next;
      }
      return Object.fromEntries([...out].sort());
    };
    expect(await inImage(taken[1]!.backupid)).toEqual({
      '.': 1, 'edit.txt': 1, 'keep.txt': 0, link: 0, 'new-name.txt': 1, sub: 1, 'sub/deep': 1, 'sub/deep/later.txt': 0, 'sub/mode.txt': 1,
    });
    // Cumulative: everything changed since the full, whatever the differential already holds.
    expect(await inImage(taken[2]!.backupid)).toEqual({
      '.': 1, 'edit.txt': 1, 'keep.txt': 0, link: 0, 'new-name.txt': 1, sub: 1, 'sub/deep': 1, 'sub/deep/later.txt': 1, 'sub/mode.txt': 1,
    });
    const listed = await home.ok('bplist', ['-R', '-s', formatNbDateTime(taken[0]!.time).split(' ')[0]!, '-e', ...formatNbDateTime(taken[1]!.time).split(' '), data]);
    expect(listed.stdout).toContain('new-name.txt');
    expect(listed.stdout).toContain('keep.txt');
    expect(listed.stdout).not.toContain('doomed.txt');
    expect(listed.stdout).not.toContain('old-name.txt');
  });

  it('plans a restore at the time of the differential from the full (unchanged files) then the differential', async () => {
    const client = taken[0]!.backupid.replace(/_\d+$/, '');
    const r = await callDaemon(homeAt(home.root), bpdbm.resolveRestore, { client, paths: [data], until: taken[1]!.time });
    expect(r.ordered).toBe(true);
    expect(r.plans.map((p) => [p.image.backupid, p.paths.map((x) => path.relative(data, x) || '.').sort()])).toEqual([
      [taken[0]!.backupid, ['keep.txt', 'link', 'sub/deep/later.txt']],
      [taken[1]!.backupid, ['.']],
    ]);
  });

  it('restores the tree as it was at each backup time', async () => {
    for (const t of taken) {
      const out = path.join(work, `out-${t.label}`);
      const rename = path.join(work, `rename-${t.label}`);
      fs.writeFileSync(rename, `change ${data} to ${out}\n`);
      const r = await home.run('bprestore', ['-w', '-e', ...formatNbDateTime(t.time).split(' '), '-R', rename, data]);
      if (r.code !== 0) throw new Error(`bprestore at ${t.label}: ${r.code}\n${r.stdout}\n${r.stderr}\n${home.logTail()}`);
      expect({ at: t.label, diffs: await compareTrees(t.snapshot, out, { owners: true }) }).toEqual({ at: t.label, diffs: [] });
    }
    expect(fs.existsSync(path.join(work, 'out-diff', 'doomed.txt'))).toBe(false);
    expect(fs.existsSync(path.join(work, 'out-cumul', 'old-name.txt'))).toBe(false);
    expect(fs.existsSync(path.join(work, 'out-full', 'doomed.txt'))).toBe(true);
  });

  it('restores one unchanged file from the full alone: the incrementals that only record it plan nothing', async () => {
    const keep = path.join(data, 'keep.txt');
    const client = taken[0]!.backupid.replace(/_\d+$/, '');
    const plan = await callDaemon(homeAt(home.root), bpdbm.resolveRestore, { client, paths: [keep] });
    expect(plan.plans.map((p) => [p.image.backupid, p.paths])).toEqual([[taken[0]!.backupid, [keep]]]);
    const out = path.join(work, 'out-one');
    fs.writeFileSync(path.join(work, 'rename-one'), `change ${keep} to ${out}\n`);
    const r = await home.run('bprestore', ['-w', '-R', path.join(work, 'rename-one'), keep]);
    expect([r.code, r.stderr]).toEqual([0, '']);
    expect(fs.readFileSync(out, 'utf8')).toBe('never changes\n');
  });
});
