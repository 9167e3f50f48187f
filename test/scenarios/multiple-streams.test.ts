// Multiple data streams on the real daemons: a policy whose selections NEW_STREAM splits into three streams
// backs up as a parent job and three child jobs (at most MAX_JOBS_PER_CLIENT = 2 at once), each stream
// with its own image; an INCR compares each stream with its own full; restores of the whole tree at each
// date come back from every stream and match the tree as it was; bplist at a date merges the streams.

import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { execFileSync } from 'node:child_process';
import { OpenbpHome } from '../helpers/openbp-home.js';
import { compareTrees } from '../helpers/compare-trees.js';
import { peakAllocations, type JobKeys } from '../helpers/allocation-log.js';
import { formatNbDateTime } from '../../src/cli/dates.js';
import { callDaemon } from '../../src/cli/daemon-call.js';
import { homeAt } from '../../src/config/home.js';
import { bpdbm } from '../../src/protocol/bpdbm.js';
import type { ImageRecord } from '../../src/protocol/records.js';

const host = os.hostname().split('.')[0]!;
/** -most_columns fields (0-based): jobid, type, state, status, policy, schedule, client, parentjob, stream. */
const COL = { jobid: 0, state: 2, status: 3, policy: 4, schedule: 5, client: 6, stunit: 11, fileCount: 31, parent: 33, stream: 45 } as const;

describe('multiple data streams', () => {
  let home: OpenbpHome;
  let work: string;
  let data: string;
  const runs: Array<{ schedule: string; images: ImageRecord[]; snapshot: string; parent: number }> = [];

  const rows = async () => (await home.ok('bpdbjobs', ['-most_columns'])).stdout.trim().split('\n').map((l) => l.split(','));
  const images = async () => (await callDaemon(homeAt(home.root), bpdbm.listImages, { policy: 'streams' })).images;

  async function backup(schedule: string): Promise<void> {
    await new Promise((r) => setTimeout(r, 1100)); // backup times are whole seconds
    const before = new Set((await images()).map((i) => i.backupid));
    const r = await home.run('bpbackup', ['-i', '-p', 'streams', '-s', schedule, '-w']);
    if (r.code !== 0) throw new Error(`bpbackup -i -s ${schedule}: ${r.code}\n${r.stdout}\n${r.stderr}\n${home.logTail()}`);
    const snapshot = path.join(work, `snap-${schedule}`);
    execFileSync('cp', ['-a', data, snapshot]);
    const made = (await images()).filter((i) => !before.has(i.backupid)).sort((a, b) => (a.streamNumber ?? 0) - (b.streamNumber ?? 0));
    const parent = Math.max(...(await rows()).filter((x) => x[COL.schedule] === schedule && x[COL.parent] === '0').map((x) => Number(x[COL.jobid])));
    runs.push({ schedule, images: made, snapshot, parent });
  }

  beforeAll(async () => {
    home = OpenbpHome.create();
    fs.writeFileSync(home.path('bp.conf'), 'MAX_JOBS_PER_CLIENT = 2\n');
    work = fs.mkdtempSync(path.join(os.tmpdir(), 'obpms-'));
    data = path.join(work, 'data');
    for (const d of ['a', 'b', 'c/deep']) fs.mkdirSync(path.join(data, d), { recursive: true });
    fs.writeFileSync(path.join(data, 'a', 'edit.txt'), 'version 1\n');
    fs.writeFileSync(path.join(data, 'a', 'keep.txt'), 'stream one\n');
    fs.writeFileSync(path.join(data, 'b', 'doomed.txt'), 'deleted before the incremental\n');
    fs.writeFileSync(path.join(data, 'b', 'keep.txt'), 'stream two\n');
    fs.writeFileSync(path.join(data, 'top.txt'), 'also stream two\n');
    fs.writeFileSync(path.join(data, 'c', 'deep', 'keep.txt'), 'stream three\n');
    await home.ok('bppolicynew', ['streams']);
    await home.ok('bpplinfo', ['streams', '-modify', '-multiple_streams', '1']);
    await home.ok('bpplclients', ['streams', '-add', host, 'Linux', 'Debian']);
    const sel = (p: string) => path.join(data, p);
    await home.ok('bpplinclude', ['streams', '-add', 'NEW_STREAM', sel('a'), 'NEW_STREAM', sel('b'), sel('top.txt'), 'NEW_STREAM', sel('c')]);
    await home.ok('bpplsched', ['streams', '-add', 'full', '-st', 'FULL', '-freq', '604800', '-rl', '1']);
    await home.ok('bpplsched', ['streams', '-add', 'incr', '-st', 'INCR', '-freq', '86400', '-rl', '1']);
  });

  afterAll(async () => {
    await home.destroy();
    fs.rmSync(work, { recursive: true, force: true });
  });

  it('shows the policy with multiple data streams', async () => {
    expect((await home.ok('bppllist', ['streams', '-U'])).stdout).toContain('  Mult. Data Streams:  yes\n');
  });

  it('runs a full as a parent job and one child job per stream, each with its own image', async () => {
    await backup('full');
    const full = runs[0]!;
    expect(full.images.map((i) => [i.streamNumber, i.schedType])).toEqual([[1, 'FULL'], [2, 'FULL'], [3, 'FULL']]);
    const all = await rows();
    const parent = all.find((x) => Number(x[COL.jobid]) === full.parent)!;
    const children = all.filter((x) => Number(x[COL.parent]) === full.parent).sort((a, b) => Number(a[COL.stream]) - Number(b[COL.stream]));
    expect([parent[COL.state], parent[COL.status], parent[COL.fileCount]]).toEqual(['3', '0', '7']); // done, 0, the selection list with its directives
    expect(children.map((x) => [x[COL.stream], x[COL.state], x[COL.status], x[COL.fileCount]])).toEqual([
      ['1', '3', '0', '1'],
      ['2', '3', '0', '2'],
      ['3', '3', '0', '1'],
    ]);
    expect(full.images.map((i) => i.jobid)).toEqual(children.map((x) => Number(x[COL.jobid])));
    // -ignore_parent_jobs leaves the parent out.
    const noParent = (await home.ok('bpdbjobs', ['-most_columns', '-ignore_parent_jobs'])).stdout;
    expect(noParent.split('\n').some((l) => l.startsWith(`${full.parent},`))).toBe(false);
    // The human report lists all four jobs.
    const report = (await home.ok('bpdbjobs', ['-report'])).stdout;
    for (const id of [full.parent, ...children.map((x) => Number(x[COL.jobid]))]) expect(report).toMatch(new RegExp(`^\\s*${id} +Backup +Done +0 +streams +full `, 'm'));
  });

  it('never runs more streams of the client at once than MAX_JOBS_PER_CLIENT', async () => {
    const jobs = new Map<number, JobKeys>();
    for (const x of await rows()) if (x[COL.parent] !== '0') jobs.set(Number(x[COL.jobid]), { client: x[COL.client]!, policy: x[COL.policy]!, stunit: x[COL.stunit]! });
    expect(jobs.size).toBe(3);
    // The three streams are queued together: two start at once, the third when one ends.
    expect(peakAllocations(home, jobs, (k) => k.client).get(host)).toBe(2);
  });

  it('runs an INCR of each stream against that stream\'s full', async () => {
    fs.writeFileSync(path.join(data, 'a', 'edit.txt'), 'version 2, longer\n');
    fs.rmSync(path.join(data, 'b', 'doomed.txt'));
    fs.writeFileSync(path.join(data, 'c', 'deep', 'new.txt'), 'new in stream three\n');
    await backup('incr');
    const [full, incr] = runs;
    expect(incr!.images.map((i) => [i.streamNumber, i.schedType])).toEqual([[1, 'INCR'], [2, 'INCR'], [3, 'INCR']]);
    const h = homeAt(home.root);
    const written = async (image: ImageRecord) => {
      const { files } = await callDaemon(h, bpdbm.imageFiles, { backupid: image.backupid, start: 0, count: 1000 });
      return files.filter((f) => f.type !== 'd' && (f.inImage ?? 1) === 1).map((f) => path.relative(data, f.path)).sort();
    };
    expect(await Promise.all(incr!.images.map(written))).toEqual([['a/edit.txt'], [], ['c/deep/new.txt']]);
    // Each child's job says which image it compared with: its own stream's full.
    const all = (await home.ok('bpdbjobs', ['-all_columns'])).stdout.split('\n');
    incr!.images.forEach((image, i) => {
      const line = all.find((l) => l.startsWith(`${image.jobid},`))!;
      expect(line).toContain(`incremental: changes since image ${full!.images[i]!.backupid}`);
    });
  });

  it('restores the whole tree at each date from every stream', async () => {
    for (const run of runs) {
      const at = Math.max(...run.images.map((i) => i.backupTime));
      const out = path.join(work, `out-${run.schedule}`);
      const rename = path.join(work, `rename-${run.schedule}`);
      fs.writeFileSync(rename, `change ${data} to ${out}\n`);
      const r = await home.run('bprestore', ['-w', '-e', ...formatNbDateTime(at).split(' '), '-R', rename, data]);
      if (r.code !== 0) throw new Error(`bprestore at ${run.schedule}: ${r.code}\n${r.stdout}\n${r.stderr}\n${home.logTail()}`);
      // The streams' common parent (data itself) is in no stream, only recorded as an ancestor: the restore
      // creates it and its mtime is the restore's. Every other difference counts.
      const diffs = (await compareTrees(run.snapshot, out, { owners: true })).filter((d) => !/^"\.": mtime /.test(d));
      expect({ at: run.schedule, diffs }).toEqual({ at: run.schedule, diffs: [] });
    }
    expect(fs.existsSync(path.join(work, 'out-full', 'b', 'doomed.txt'))).toBe(true);
    expect(fs.existsSync(path.join(work, 'out-incr', 'b', 'doomed.txt'))).toBe(false);
  });

  it('lists every stream\'s files at a date with bplist', async () => {
    const listAt = async (t: number) => {
      const r = await home.ok('bplist', ['-R', '-e', ...formatNbDateTime(t).split(' '), data]);
      return r.stdout.split('\n').filter((l) => l !== '').map((l) => path.relative(data, l.replace(/\/$/, ''))).sort();
    };
    const files = ['a', 'a/edit.txt', 'a/keep.txt', 'b', 'b/keep.txt', 'c', 'c/deep', 'c/deep/keep.txt', 'top.txt'];
    expect(await listAt(Math.max(...runs[0]!.images.map((i) => i.backupTime)))).toEqual(['', ...files, 'b/doomed.txt'].sort());
    expect(await listAt(Math.max(...runs[1]!.images.map((i) => i.backupTime)))).toEqual(['', ...files, 'c/deep/new.txt'].sort());
  });
});
