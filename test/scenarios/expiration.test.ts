// Expiration on the real daemons: bpexpdate -d 0 removes an image and its fragments, a past date lets image
// cleanup (bpimage -cleanup, or nbpem's CLEANUP_INTERVAL timer) remove it as a type 17 job, a full stays
// while an incremental depends on it, and a new expiration survives a restart.

import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pty from 'node-pty';
import { OpenbpHome, BIN } from '../helpers/openbp-home.js';
import { formatNbDateTime } from '../../src/cli/dates.js';
import { callDaemon } from '../../src/cli/daemon-call.js';
import { homeAt, type Home } from '../../src/config/home.js';
import { bpdbm } from '../../src/protocol/bpdbm.js';
import { bpjobd } from '../../src/protocol/bpjobd.js';
import type { ImageRecord } from '../../src/protocol/records.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Runs a binary at a terminal and types `answer` once it asks. */
function askedInPty(cmd: string, args: string[], env: NodeJS.ProcessEnv, answer: string): Promise<{ code: number; output: string }> {
  return new Promise((resolve) => {
    const term = pty.spawn(cmd, args, { name: 'xterm', cols: 200, rows: 30, env: env as Record<string, string> });
    let output = '';
    let answered = false;
    term.onData((d) => {
      output += d;
      if (!answered && output.includes('y/n')) {
        answered = true;
        term.write(`${answer}\r`);
      }
    });
    term.onExit(({ exitCode }) => setTimeout(() => resolve({ code: exitCode, output }), 50));
  });
}

describe('image expiration and cleanup', () => {
  let home: OpenbpHome;
  let h: Home;
  let work: string;
  let data: string;
  /** The three user backups, oldest first, with the content of data/v.txt at each. */
  const ubak: Array<{ image: ImageRecord; content: string }> = [];

  const images = async (): Promise<ImageRecord[]> => (await callDaemon(h, bpdbm.listImages, {})).images;
  const exists = async (backupid: string) => (await images()).some((i) => i.backupid === backupid);
  const fragmentFiles = (image: ImageRecord) => fs.readdirSync(home.path('stu', 'default')).filter((n) => n.startsWith(`${image.backupid}_`));
  const pastDate = () => formatNbDateTime(Math.floor(Date.now() / 1000) - 86400).split(' ');

  async function restoreAt(time: number, what: string): Promise<string> {
    const out = path.join(work, `out-${time}-${Math.random().toString(36).slice(2, 7)}`);
    const rename = path.join(work, `rename-${path.basename(out)}`);
    fs.writeFileSync(rename, `change ${data} to ${out}\n`);
    const r = await home.run('bprestore', ['-w', '-e', ...formatNbDateTime(time).split(' '), '-R', rename, data]);
    if (r.code !== 0) throw new Error(`bprestore (${what}): ${r.code}\n${r.stdout}\n${r.stderr}\n${home.logTail()}`);
    return out;
  }

  beforeAll(async () => {
    home = OpenbpHome.create();
    h = homeAt(home.root);
    fs.writeFileSync(home.path('bp.conf'), 'CLEANUP_INTERVAL = 2\n');
    work = fs.mkdtempSync(path.join(os.tmpdir(), 'obpexp-'));
    data = path.join(work, 'data');
    fs.mkdirSync(data);
    for (const n of [1, 2, 3]) {
      const content = `version ${n}\n`;
      fs.writeFileSync(path.join(data, 'v.txt'), content);
      await sleep(1100); // backup times are whole seconds
      await home.ok('bpbackup', ['-w', data]);
      const newest = (await images())[0]!;
      ubak.push({ image: newest, content });
    }
  });

  afterAll(async () => {
    await home.destroy();
    fs.rmSync(work, { recursive: true, force: true });
  });

  it('writes three user backups with fragment files on the default unit', () => {
    expect(ubak.map((u) => u.image.schedType)).toEqual(['UBAK', 'UBAK', 'UBAK']);
    for (const u of ubak) expect(fragmentFiles(u.image).length).toBeGreaterThan(0);
  });

  it('refuses without -force when stdin is not a terminal (20), unknown ids (227) and bad dates (20)', async () => {
    const id = ubak[0]!.image.backupid;
    const noForce = await home.run('bpexpdate', ['-backupid', id, '-d', '0']);
    expect(noForce.code).toBe(20);
    expect(noForce.stderr).toContain('-force');
    expect(await exists(id)).toBe(true);
    expect((await home.run('bpexpdate', ['-backupid', 'nosuch_1700000000', '-d', '0', '-force'])).code).toBe(227);
    expect((await home.run('bpexpdate', ['-backupid', id, '-d', '0', '-client', 'not-its-client', '-force'])).code).toBe(227);
    expect((await home.run('bpexpdate', ['-backupid', id, '-d', '13/45/2026', '-force'])).code).toBe(20);
    expect((await home.run('bpexpdate', ['-backupid', id, '-force'])).code).toBe(20);
  });

  it('asks y/n at a terminal without -force: n changes nothing, y changes the date', async () => {
    const id = ubak[2]!.image.backupid;
    const before = (await images()).find((i) => i.backupid === id)!.expiration;
    const no = await askedInPty(path.join(BIN, 'bpexpdate'), ['-backupid', id, '-d', '0'], home.env, 'n');
    expect(no.output).toContain(`Are you SURE you want to delete ${id} y/n`);
    expect(no.code).toBe(0);
    expect(await exists(id)).toBe(true);
    const yes = await askedInPty(path.join(BIN, 'bpexpdate'), ['-backupid', id, '-d', '12/31/2029'], home.env, 'y');
    expect(yes.output).toContain(`Are you SURE you want to change ${id} to expire on 12/31/2029 00:00:00 y/n`);
    expect(yes.code).toBe(0);
    const after = (await images()).find((i) => i.backupid === id)!.expiration;
    expect(after).toBe(Math.floor(new Date(2029, 11, 31).getTime() / 1000));
    expect(after).not.toBe(before);
  });

  it('bpexpdate -d 0 -force removes one image and its fragments; the others stay and restore', async () => {
    const [first, second, third] = ubak as [(typeof ubak)[0], (typeof ubak)[0], (typeof ubak)[0]];
    await home.ok('bpexpdate', ['-backupid', first.image.backupid, '-d', '0', '-force']);
    expect(await exists(first.image.backupid)).toBe(false);
    expect(fragmentFiles(first.image)).toEqual([]);
    for (const f of first.image.fragments) expect(fs.existsSync(f.mediaId)).toBe(false);
    expect((await home.run('bpimagelist', ['-backupid', first.image.backupid])).code).toBe(227);
    for (const u of [second, third]) {
      expect(await exists(u.image.backupid)).toBe(true);
      expect(fragmentFiles(u.image).length).toBeGreaterThan(0);
    }
    const out = await restoreAt(second.image.backupTime, 'second image');
    expect(fs.readFileSync(path.join(out, 'v.txt'), 'utf8')).toBe(second.content);
  });

  it('a past date lets bpimage -cleanup remove the image in a type 17 job with status 0', async () => {
    const second = ubak[1]!.image;
    await home.ok('bpexpdate', ['-backupid', second.backupid, '-d', ...pastDate(), '-force']);
    const r = await home.run('bpimage', ['-cleanup', '-allclients']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^image cleanup job \d+/);
    expect(await exists(second.backupid)).toBe(false);
    expect(fragmentFiles(second)).toEqual([]);
    const jobs = await home.ok('bpdbjobs', ['-report', '-all_columns']);
    const jobid = r.stdout.split(' ')[3]!.replace(':', '');
    const row = jobs.stdout.split('\n').find((l) => l.split(',')[0] === jobid);
    expect(row?.split(',').slice(0, 4)).toEqual([jobid, '17', '3', '0']);
    const third = ubak[2]!;
    const out = await restoreAt(third.image.backupTime, 'third image');
    expect(fs.readFileSync(path.join(out, 'v.txt'), 'utf8')).toBe(third.content);
  });

  it('closes a cleanup job left active by a killed nbpem with status 50', async () => {
    const now = Math.floor(Date.now() / 1000);
    const { jobid } = await callDaemon(h, bpjobd.create, {
      jobid: 0, jobtype: 17, state: 1, policy: '', schedule: '', client: 'x', server: 'x', started: now, ended: 0, stunit: '', operation: 0,
      kbytes: 0, files: 0, pathLastWritten: '', percent: 0, jobpid: 2 ** 22 + 7, owner: 'root', group: '0', subtype: 0, policyType: 0,
      schedType: 0, priority: 0, retentionLevel: 0, retentionPeriodDays: 0, compression: 0, fileList: [], tries: [], backupid: '',
      parentJob: 0, stateDetail: '',
    });
    await home.ok('bpimage', ['-cleanup', '-allclients']);
    expect(await callDaemon(h, bpjobd.get, { jobid })).toMatchObject({ state: 3, status: 50 });
  });

  it('keeps a new expiration across a restart of the daemons', async () => {
    const third = ubak[2]!.image;
    await home.ok('bpexpdate', ['-backupid', third.backupid, '-d', '12/31/2030', '23:59:59', '-force']);
    const want = Math.floor(new Date(2030, 11, 31, 23, 59, 59).getTime() / 1000);
    await home.ok('bp.kill_all');
    const l = await home.ok('bpimagelist', ['-l', '-backupid', third.backupid]);
    const fields = l.stdout.split('\n').find((x) => x.startsWith('IMAGE '))!.split(' ');
    expect(fields).toContain(String(want));
    expect((await images()).find((i) => i.backupid === third.backupid)!.expiration).toBe(want);
  });

  it("nbpem's CLEANUP_INTERVAL timer removes an expired image by itself", async () => {
    const third = ubak[2]!.image;
    await home.ok('bpexpdate', ['-backupid', third.backupid, '-d', ...pastDate(), '-force']);
    const deadline = Date.now() + 20000;
    while ((await exists(third.backupid)) && Date.now() < deadline) await sleep(300);
    expect(await exists(third.backupid)).toBe(false);
    expect(fragmentFiles(third)).toEqual([]);
  });

  it('keeps an expired full while its incremental has not expired, then removes both', async () => {
    const def = await callDaemon(h, bpdbm.getPolicy, { name: 'openbp-default' });
    await callDaemon(h, bpdbm.putPolicy, {
      create: true,
      policy: {
        ...def,
        name: 'exp-incr',
        include: [data],
        schedules: [
          { name: 'full', type: 'FULL', retentionLevel: 1, frequencySeconds: 604800 },
          { name: 'diff', type: 'INCR', retentionLevel: 1, frequencySeconds: 86400 },
        ],
        created: Math.floor(Date.now() / 1000),
      },
    });
    fs.writeFileSync(path.join(data, 'v.txt'), 'full\n');
    fs.writeFileSync(path.join(data, 'only-in-full.txt'), 'unchanged later\n');
    await sleep(1100);
    await home.ok('bpbackup', ['-i', '-p', 'exp-incr', '-s', 'full', '-w']);
    const full = (await images())[0]!;
    fs.writeFileSync(path.join(data, 'v.txt'), 'incremental\n');
    await sleep(1100);
    await home.ok('bpbackup', ['-i', '-p', 'exp-incr', '-s', 'diff', '-w']);
    const incr = (await images())[0]!;
    expect([full.schedType, incr.schedType]).toEqual(['FULL', 'INCR']);

    await home.ok('bpexpdate', ['-backupid', full.backupid, '-d', ...pastDate(), '-force']);
    const r = await home.run('bpimage', ['-cleanup', '-allclients', '--json']);
    expect(r.code).toBe(0);
    const job = JSON.parse(r.stdout) as { jobid: number; kept: string[] };
    expect(job.kept).toContain(full.backupid);
    expect(await exists(full.backupid)).toBe(true);
    expect(fragmentFiles(full).length).toBeGreaterThan(0);
    const rec = await callDaemon(h, bpjobd.get, { jobid: job.jobid });
    expect(rec.tries.flatMap((t) => t.statusLines).join('\n')).toContain(`INCR image ${incr.backupid}`);
    // The incremental still restores its whole tree (unchanged files come from the kept full).
    const out = await restoreAt(incr.backupTime, 'incremental');
    expect(fs.readFileSync(path.join(out, 'v.txt'), 'utf8')).toBe('incremental\n');
    expect(fs.readFileSync(path.join(out, 'only-in-full.txt'), 'utf8')).toBe('unchanged later\n');

    await home.ok('bpexpdate', ['-backupid', incr.backupid, '-d', ...pastDate(), '-force']);
    expect((await home.run('bpimage', ['-cleanup', '-allclients'])).code).toBe(0);
    expect(await exists(full.backupid)).toBe(false);
    expect(await exists(incr.backupid)).toBe(false);
    expect(fragmentFiles(full)).toEqual([]);
    expect(fragmentFiles(incr)).toEqual([]);
  });
});
