// Twenty backups queued at once on the real daemons (four policies of five clients, bpbackup -i) against small
// limits: MAX_JOBS_PER_CLIENT 2, a policy limited to 1 job and one to 2, a storage unit with -cj 3. At no
// moment does more run than the limits allow (nbrb's grant/release log replayed, and bpjobd sampled while
// they run), queued jobs say why they wait, none is lost and all end 0.

import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { OpenbpHome } from '../helpers/openbp-home.js';
import { peakAllocations, type JobKeys } from '../helpers/allocation-log.js';
import { callDaemon } from '../../src/cli/daemon-call.js';
import { homeAt } from '../../src/config/home.js';
import { bpjobd } from '../../src/protocol/bpjobd.js';
import { bpdbm } from '../../src/protocol/bpdbm.js';
import { JOB_STATE, JOB_TYPE, type JobRecord } from '../../src/protocol/records.js';

const CLIENTS = ['cl1', 'cl2', 'cl3', 'cl4', 'cl5'];
const POLICIES: Array<{ name: string; policyjobs: number }> = [
  { name: 'lim1', policyjobs: 1 },
  { name: 'lim2', policyjobs: 2 },
  { name: 'lim3', policyjobs: 0 },
  { name: 'lim4', policyjobs: 0 },
];
const MAX_PER_CLIENT = 2;
const UNIT_CJ = 3;

describe('twenty queued jobs held within the limits', () => {
  let home: OpenbpHome;
  let work: string;
  const samples: JobRecord[][] = [];

  beforeAll(async () => {
    home = OpenbpHome.create();
    work = fs.mkdtempSync(path.join(os.tmpdir(), 'obplim-'));
    fs.writeFileSync(home.path('bp.conf'), `MAX_JOBS_PER_CLIENT = ${MAX_PER_CLIENT}\n`);
    await home.ok('bpstuadd', ['-label', 'small', '-path', path.join(work, 'stu'), '-cj', String(UNIT_CJ)]);
    // The first policy through the commands, the others as copies straight into bpdbm (twenty clients'
    // worth of bpplclients calls would only slow the test).
    const first = POLICIES[0]!;
    await home.ok('bppolicynew', [first.name]);
    await home.ok('bpplinfo', [first.name, '-modify', '-residence', 'small', '-policyjobs', String(first.policyjobs)]);
    await home.ok('bpplclients', [first.name, '-add', CLIENTS[0]!, 'Linux', 'Debian']);
    await home.ok('bpplsched', [first.name, '-add', 'full', '-st', 'FULL', '-rl', '0']);
    const h = homeAt(home.root);
    const template = await callDaemon(h, bpdbm.getPolicy, { name: first.name });
    for (const [i, p] of POLICIES.entries()) {
      const data = path.join(work, p.name);
      fs.mkdirSync(data);
      fs.writeFileSync(path.join(data, 'file.txt'), `${p.name}\n`);
      await callDaemon(h, bpdbm.putPolicy, {
        create: i > 0,
        policy: { ...template, name: p.name, maxJobs: p.policyjobs, include: [data], clients: CLIENTS.map((c) => [c, ['Linux', 'Debian']] as [string, [string, string]]) },
      });
    }
    expect((await home.ok('bppllist', ['lim2', '-l'])).stdout).toMatch(/^CLIENT cl5 /m);
  });

  afterAll(async () => {
    await home.destroy();
    fs.rmSync(work, { recursive: true, force: true });
  });

  it('queues twenty jobs at once and runs every one to status 0', async () => {
    const h = homeAt(home.root);
    await Promise.all(POLICIES.map((p) => home.ok('bpbackup', ['-i', '-p', p.name, '-s', 'full'])));
    // Sample bpjobd (what bpdbjobs shows) until every backup is done.
    for (;;) {
      const { jobs } = await callDaemon(h, bpjobd.list, {});
      const backups = jobs.filter((j) => j.jobtype === JOB_TYPE.backup);
      samples.push(backups);
      if (backups.length === 20 && backups.every((j) => j.state === JOB_STATE.done)) break;
      if (samples.length > 2000) throw new Error(`jobs still running after ${samples.length} samples\n${home.logTail()}`);
      await new Promise((r) => setTimeout(r, 50));
    }
    const done = samples[samples.length - 1]!;
    expect(done).toHaveLength(20);
    expect(done.map((j) => j.status)).toEqual(new Array(20).fill(0));
    const pairs = done.map((j) => `${j.policy}/${j.client}`).sort();
    expect(pairs).toEqual(POLICIES.flatMap((p) => CLIENTS.map((c) => `${p.name}/${c}`)).sort());
    // Every job made its image.
    const images = (await home.ok('bpimagelist', ['-l'])).stdout.split('\n').filter((l) => l.startsWith('IMAGE '));
    expect(images).toHaveLength(20);
  });

  it('never granted more than the limits allow (nbrb log replayed)', async () => {
    const done = samples[samples.length - 1]!;
    const keys = new Map<number, JobKeys>(done.map((j) => [j.jobid, { client: j.client, policy: j.policy, stunit: j.stunit }]));
    const perClient = peakAllocations(home, keys, (k) => k.client);
    const perPolicy = peakAllocations(home, keys, (k) => k.policy);
    const perUnit = peakAllocations(home, keys, (k) => k.stunit);
    expect(perUnit.get('small')).toBe(UNIT_CJ); // twenty waiting: the unit fills up
    for (const c of CLIENTS) expect(perClient.get(c)).toBeLessThanOrEqual(MAX_PER_CLIENT);
    expect(perPolicy.get('lim1')).toBe(1);
    expect(perPolicy.get('lim2')).toBeLessThanOrEqual(2);
    expect(Math.max(...perPolicy.values())).toBeLessThanOrEqual(UNIT_CJ);
  });

  it('never showed more active jobs than the limits allow (bpjobd sampled while they ran)', () => {
    expect(samples.length).toBeGreaterThan(1);
    for (const s of samples) {
      const active = s.filter((j) => j.state === JOB_STATE.active);
      expect(active.length).toBeLessThanOrEqual(UNIT_CJ);
      for (const c of CLIENTS) expect(active.filter((j) => j.client === c).length).toBeLessThanOrEqual(MAX_PER_CLIENT);
      expect(active.filter((j) => j.policy === 'lim1').length).toBeLessThanOrEqual(1);
      expect(active.filter((j) => j.policy === 'lim2').length).toBeLessThanOrEqual(2);
    }
  });

  it('says why each queued job waited', async () => {
    // While queued: the job record's state detail (bpbackup -w prints it).
    const reasons = new Set(samples.flat().filter((j) => j.state === JOB_STATE.queued).map((j) => j.stateDetail));
    const kinds = [...reasons].map((r) =>
      /^maximum jobs per client \(2\) reached for cl\d$/.test(r) ? 'client'
        : /^limit jobs per policy \([12]\) reached for lim[12]$/.test(r) ? 'policy'
          : r === 'maximum job count reached for storage unit small' ? 'unit'
            : r === 'awaiting resources' ? 'new' : `unexpected: ${r}`,
    );
    expect(kinds.filter((k) => k.startsWith('unexpected'))).toEqual([]);
    expect(kinds).toContain('unit');
    // Afterwards: each job that waited has the reason in its try status lines (bpdbjobs -all_columns).
    const lines = (await home.ok('bpdbjobs', ['-all_columns'])).stdout.split('\n').filter((l) => l !== '');
    const waited = lines.filter((l) => l.includes('awaiting resource small. Reason: '));
    // Three run at once on the unit; at least the other seventeen waited for something.
    expect(waited.length).toBeGreaterThanOrEqual(20 - UNIT_CJ);
    for (const l of waited) expect(l).toMatch(/awaiting resource small\. Reason: (maximum jobs per client|limit jobs per policy|maximum job count reached)/);
  });
});
