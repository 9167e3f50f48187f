import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ensureHomeLayout, homeAt, socketPath, type Home } from '../../src/config/home.js';
import { serveRpc, route, type RpcServer } from '../../src/ipc/rpc-server.js';
import { createBpdbm, type Bpdbm } from '../../src/master/bpdbm/routes.js';
import { callDaemon } from '../../src/cli/daemon-call.js';
import type { CommandContext, CommandSpec } from '../../src/cli/command.js';
import { bpdbm } from '../../src/protocol/bpdbm.js';
import { nbemm } from '../../src/protocol/nbemm.js';
import { OpenbpError } from '../../src/protocol/errors.js';
import { command as bppolicynew } from '../../src/cmd/bppolicynew.js';
import { command as bppldelete } from '../../src/cmd/bppldelete.js';
import { command as bpplinfo } from '../../src/cmd/bpplinfo.js';
import { command as bpplclients } from '../../src/cmd/bpplclients.js';
import { command as bpplinclude } from '../../src/cmd/bpplinclude.js';
import { command as bpplsched } from '../../src/cmd/bpplsched.js';
import { command as bppllist } from '../../src/cmd/bppllist.js';
import { command as bpretlevel } from '../../src/cmd/bpretlevel.js';
import { plainContext, runCommand } from '../helpers/command-runner.js';

let home: Home;
let db: Bpdbm;
const servers: RpcServer[] = [];
let ctx: CommandContext;

/** Runs a command as main() would, returning the status instead of throwing. */
const run = (cmd: CommandSpec, argv: string[]) => runCommand(ctx, cmd, argv);

const policyFile = (name: string) => path.join(home.classes, name, 'policy');
const stored = async (name: string) => callDaemon(home, bpdbm.getPolicy, { name });

beforeAll(async () => {
  home = homeAt(fs.mkdtempSync(path.join(os.tmpdir(), 'obp-pol-')));
  ensureHomeLayout(home);
  fs.writeFileSync(home.bpConf, 'SERVER = master1\nCLIENT_NAME = h\n');
  ctx = plainContext(home);
  db = createBpdbm(home, () => {});
  servers.push(await serveRpc(socketPath(home, 'bpdbm'), db.routes));
  const unit = { label: 'disk1', type: 'disk' as const, path: '/tmp/x', host: 'h', concurrentJobs: 1, maxFragmentMB: 100, highWaterMark: 98, lowWaterMark: 80, onDemandOnly: false, maxMpx: 1 };
  servers.push(await serveRpc(socketPath(home, 'nbemm'), [route(nbemm.listStorageUnits, ({ label }) => {
    if (label !== undefined && label !== 'disk1') throw new OpenbpError('NO_ENTITY', `storage unit ${label} does not exist`);
    return { units: [unit] };
  })]));
});

afterAll(async () => {
  for (const s of servers) await s.close();
  await db.close();
  fs.rmSync(home.root, { recursive: true, force: true });
});

describe('bppolicynew / bppldelete', () => {
  it('creates a policy with NetBackup defaults, refuses a second one and a bad name', async () => {
    expect((await run(bppolicynew, ['p1'])).status).toBe(0);
    const p = await stored('p1');
    expect(p).toMatchObject({ name: 'p1', policyType: 0, active: true, residence: '', pool: 'NetBackup', clients: [], include: [], schedules: [] });
    expect((await run(bppolicynew, ['p1'])).status).toBe(133);
    expect((await run(bppolicynew, ['-bad'])).status).toBe(20);
    expect((await run(bppolicynew, ['.x'])).status).toBe(20);
    expect((await run(bppolicynew, ['p2', '-sameas', 'nope'])).status).toBe(230);
  });
  it('deletes a policy; 230 when it does not exist', async () => {
    expect((await run(bppolicynew, ['gone'])).status).toBe(0);
    expect((await run(bppldelete, ['gone'])).status).toBe(0);
    expect(fs.existsSync(path.join(home.classes, 'gone'))).toBe(false);
    expect((await run(bppldelete, ['gone'])).status).toBe(230);
    expect(fs.readdirSync(home.classes).filter((n) => n.startsWith('.'))).toEqual([]);
  });
});

describe('bpplinfo', () => {
  it('modifies attributes and shows them', async () => {
    const r = await run(bpplinfo, ['p1', '-modify', '-residence', 'disk1', '-pool', 'pool2', '-policyjobs', '3', '-priority', '9', '-inactive', '-compress', '1', '-chkpt', '1', '-multiple_streams', '1', '-keyword', 'hello world', '-pt', 'MS-Windows']);
    expect(r.status).toBe(0);
    expect(await stored('p1')).toMatchObject({ residence: 'disk1', pool: 'pool2', maxJobs: 3, priority: 9, active: false, compress: true, checkpoint: true, multipleStreams: true, keyword: 'hello world', policyType: 13 });
    const u = (await run(bpplinfo, ['p1', '-U'])).out;
    expect(u).toContain('  Policy Type:         MS-Windows\n  Active:              no\n');
    expect(u).toContain('  Max Jobs/Policy:     3\n');
    expect((await run(bpplinfo, ['p1', '-L'])).out).toContain('Policy Type:       MS-Windows (13)\n');
    expect((await run(bpplinfo, ['p1', '-l'])).out.split('\n')[2]!.startsWith('INFO 13 0 1 9 ')).toBe(true);
  });
  it('-set returns unnamed attributes to their defaults', async () => {
    expect((await run(bpplinfo, ['p1', '-set', '-active', '-pt', 'Standard'])).status).toBe(0);
    expect(await stored('p1')).toMatchObject({ residence: '', pool: 'NetBackup', maxJobs: 0, priority: 0, active: true, keyword: '', policyType: 0 });
  });
  it('refuses bad input and writes nothing', async () => {
    const before = fs.readFileSync(policyFile('p1'), 'utf8');
    expect((await run(bpplinfo, ['p1', '-modify', '-priority', '5', '-residence', 'nostu'])).status).toBe(219);
    expect((await run(bpplinfo, ['p1', '-modify', '-compress', '2'])).status).toBe(20);
    expect((await run(bpplinfo, ['p1', '-modify', '-pt', 'Nope'])).status).toBe(20);
    expect((await run(bpplinfo, ['p1', '-modify', '-active', '-inactive'])).status).toBe(20);
    expect((await run(bpplinfo, ['p1', '-modify', '-policyjobs', 'x'])).status).toBe(20);
    expect((await run(bpplinfo, ['p1', '-L', '-priority', '3'])).status).toBe(20);
    expect((await run(bpplinfo, ['nope', '-modify', '-priority', '1'])).status).toBe(230);
    expect(fs.readFileSync(policyFile('p1'), 'utf8')).toBe(before);
  });
});

describe('bpplclients', () => {
  it('adds, lists, modifies and deletes clients', async () => {
    expect((await run(bpplclients, ['p1', '-add', 'c1', 'Linux', 'Debian'])).status).toBe(0);
    expect((await run(bpplclients, ['p1', '-add', 'c2', 'Linux', 'RedHat'])).status).toBe(0);
    expect((await run(bpplclients, ['p1'])).out.split('\n')[2]).toBe('Linux            Debian                     c1');
    expect((await run(bpplclients, ['p1', '-l'])).out).toBe('CLIENT c1 Linux Debian 0 0 0 0 ?\nCLIENT c2 Linux RedHat 0 0 0 0 ?\n');
    expect((await run(bpplclients, ['p1', '-modify', 'c2', '-os', 'Rocky'])).status).toBe(0);
    expect((await stored('p1')).clients[1]).toEqual(['c2', ['Linux', 'Rocky']]);
    expect((await run(bpplclients, ['p1', '-delete', 'c2'])).status).toBe(0);
    expect((await stored('p1')).clients).toEqual([['c1', ['Linux', 'Debian']]]);
  });
  it('lists every client once with -allunique -U', async () => {
    expect((await run(bppolicynew, ['p3'])).status).toBe(0);
    expect((await run(bpplclients, ['p3', '-add', 'c1', 'Linux', 'Debian'])).status).toBe(0);
    expect((await run(bpplclients, ['p3', '-add', 'a0', 'Solaris', 'Solaris10'])).status).toBe(0);
    const lines = (await run(bpplclients, ['-allunique', '-U'])).out.split('\n');
    expect(lines.slice(2).filter(Boolean).map((l) => l.substring(44))).toEqual(['a0', 'c1']);
  });
  it('refuses bad input and writes nothing', async () => {
    const before = fs.readFileSync(policyFile('p1'), 'utf8');
    expect((await run(bpplclients, ['p1', '-delete', 'c1', 'zz'])).status).toBe(239);
    expect((await run(bpplclients, ['p1', '-modify', 'zz', '-os', 'x'])).status).toBe(239);
    expect((await run(bpplclients, ['p1', '-add', 'c9', 'Linux'])).status).toBe(20);
    expect((await run(bpplclients, ['p1', '-add', 'bad name', 'Linux', 'Debian'])).status).toBe(20);
    expect((await run(bpplclients, ['p1', '-add', 'c1', 'Linux', 'Debian'])).status).toBe(133);
    expect((await run(bpplclients, ['nope', '-add', 'c1', 'Linux', 'Debian'])).status).toBe(230);
    expect(fs.readFileSync(policyFile('p1'), 'utf8')).toBe(before);
  });
});

describe('bpplinclude', () => {
  it('adds, lists and deletes selections', async () => {
    expect((await run(bpplinclude, ['p1', '-add', '/etc', '/home/a b', 'NEW_STREAM'])).status).toBe(0);
    expect((await run(bpplinclude, ['p1', '-add', '/etc'])).status).toBe(0);
    expect((await stored('p1')).include).toEqual(['/etc', '/home/a b', 'NEW_STREAM']);
    expect((await run(bpplinclude, ['p1', '-l'])).out).toBe('INCLUDE /etc\nINCLUDE /home/a b\nINCLUDE NEW_STREAM\n');
    expect((await run(bpplinclude, ['p1', '-L'])).out).toBe(' Include:  /etc\n           /home/a b\n           NEW_STREAM\n');
    expect((await run(bpplinclude, ['p1', '-delete', 'NEW_STREAM'])).status).toBe(0);
    expect((await stored('p1')).include).toEqual(['/etc', '/home/a b']);
  });
  it('refuses relative paths and unknown deletions, writing nothing', async () => {
    const before = fs.readFileSync(policyFile('p1'), 'utf8');
    expect((await run(bpplinclude, ['p1', '-add', '/ok', 'relative'])).status).toBe(20);
    expect((await run(bpplinclude, ['p1', '-delete', '/etc', '/nope'])).status).toBe(20);
    expect((await run(bpplinclude, ['p1', '-add'])).status).toBe(20);
    expect((await run(bpplinclude, ['nope', '-add', '/x'])).status).toBe(230);
    expect(fs.readFileSync(policyFile('p1'), 'utf8')).toBe(before);
  });
});

describe('bpplsched', () => {
  it('adds a schedule with windows, modifies and lists it', async () => {
    expect((await run(bpplsched, ['p1', '-add', 'full', '-st', 'FULL', '-rl', '3', '-window', '64800', '43200'])).status).toBe(0);
    let s = (await stored('p1')).schedules[0]!;
    expect(s).toMatchObject({ name: 'full', type: 'FULL', retentionLevel: 3, frequencySeconds: 604800 });
    expect(s.windows).toHaveLength(7);
    expect((await run(bpplsched, ['p1', '-modify', 'full', '-freq', '86400', '-window', 'sunday', '0', '0', '-window', 'sat', '0', '86400'])).status).toBe(0);
    s = (await stored('p1')).schedules[0]!;
    expect(s.frequencySeconds).toBe(86400);
    expect(s.windows!.map((w) => w.day)).toEqual([1, 2, 3, 4, 5, 6]);
    expect(s.windows![5]).toEqual({ day: 6, start: 0, duration: 86400 });
    expect((await run(bpplsched, ['p1', '-add', 'user', '-st', 'UBAK'])).status).toBe(0);
    const u = (await run(bpplsched, ['p1', '-U', '-label', 'full'])).out;
    expect(u).toContain('    Type:                Full Backup\n    Frequency:           every 1 day\n');
    expect(u).toContain('          Monday     18:00:00  -->  Tuesday    06:00:00\n');
    expect(u).toContain('          Saturday   00:00:00  -->  Sunday     00:00:00\n');
    expect((await run(bpplsched, ['p1', '-l'])).out.split('\n').filter((l) => l.startsWith('SCHED '))).toHaveLength(2);
    expect((await run(bpplsched, ['p1'])).out).toContain('Schedule:          user\n  Type:            UBAK (2)\n');
  });
  it('refuses bad input with 197 / 20 / 133 and writes nothing', async () => {
    const before = fs.readFileSync(policyFile('p1'), 'utf8');
    expect((await run(bpplsched, ['p1', '-modify', 'nope', '-rl', '2'])).status).toBe(197);
    expect((await run(bpplsched, ['p1', '-delete', 'user', 'nope'])).status).toBe(197);
    expect((await run(bpplsched, ['p1', '-L', '-label', 'nope'])).status).toBe(197);
    expect((await run(bpplsched, ['p1', '-add', 'full'])).status).toBe(133);
    expect((await run(bpplsched, ['p1', '-add', 'x', '-st', 'DAILY'])).status).toBe(20);
    expect((await run(bpplsched, ['p1', '-add', 'x', '-rl', '25'])).status).toBe(20);
    expect((await run(bpplsched, ['p1', '-add', 'x', '-window', '90000', '60'])).status).toBe(20);
    expect((await run(bpplsched, ['p1', '-add', 'x', '-window', '0'])).status).toBe(20);
    expect((await run(bpplsched, ['p1', '-add', 'x', '-window', 'funday', '0', '1'])).status).toBe(20);
    expect((await run(bpplsched, ['p1', '-add', 'x', '-freq', '-5'])).status).toBe(20);
    expect((await run(bpplsched, ['nope', '-add', 'x'])).status).toBe(230);
    expect(fs.readFileSync(policyFile('p1'), 'utf8')).toBe(before);
  });
  it('deletes a schedule', async () => {
    expect((await run(bpplsched, ['p1', '-delete', 'user'])).status).toBe(0);
    expect((await stored('p1')).schedules.map((s) => s.name)).toEqual(['full']);
  });
});

describe('bpplsched calendar schedules', () => {
  const sched = async (name: string) => (await stored('cal')).schedules.find((s) => s.name === name)!;
  beforeAll(async () => {
    expect((await run(bppolicynew, ['cal'])).status).toBe(0);
  });
  afterAll(async () => {
    expect((await run(bppldelete, ['cal'])).status).toBe(0);
  });

  it('stores run days and exclude dates given by name, number, date and clears', async () => {
    const r = await run(bpplsched, [
      'cal', '-add', 'monthly', '-cal', '2', '-incl', '12/31/2026', '-incl', '2/29/2028', '-excl', '12/25/2026',
      '-weekday', 'Monday', '1', '6', '5', '-dayomonth', '0', '15', '-window', '0', '3600',
    ]);
    expect(r.status).toBe(0);
    expect(await sched('monthly')).toMatchObject({
      calendar: 2, includeDates: ['2026-12-31', '2028-02-29'], excludeDates: ['2026-12-25'],
      weekdays: [{ day: 1, week: 1 }, { day: 5, week: 5 }], monthDays: [15, 0],
    });
    expect((await sched('monthly')).windows).toHaveLength(7);
    // -weekday 2 1 is Monday of week 1 (1 = Sunday): already there, not doubled.
    expect((await run(bpplsched, ['cal', '-modify', 'monthly', '-weekday', '2', '1', '-delincl', '12/31/2026', '-cd', '-cal', '1'])).status).toBe(0);
    expect(await sched('monthly')).toMatchObject({ calendar: 1, includeDates: ['2028-02-29'], weekdays: [{ day: 1, week: 1 }, { day: 5, week: 5 }] });
    expect((await sched('monthly')).monthDays).toBeUndefined();
    // Exclude dates also belong to frequency schedules; -cal 0 drops the run days and keeps them.
    expect((await run(bpplsched, ['cal', '-add', 'daily', '-st', 'INCR', '-excl', '01/01/2027'])).status).toBe(0);
    expect(await sched('daily')).toMatchObject({ excludeDates: ['2027-01-01'] });
    expect((await sched('daily')).calendar).toBeUndefined();
    expect((await run(bpplsched, ['cal', '-add', 'tmp', '-cal', '1', '-incl', '01/04/2027', '-excl', '01/05/2027'])).status).toBe(0);
    expect((await run(bpplsched, ['cal', '-modify', 'tmp', '-cal', '0'])).status).toBe(0);
    const tmp = await sched('tmp');
    expect([tmp.calendar, tmp.includeDates, tmp.excludeDates]).toEqual([undefined, undefined, ['2027-01-05']]);
    expect((await run(bpplsched, ['cal', '-delete', 'tmp'])).status).toBe(0);
  });

  it('shows them in bppllist -U, -L and -l', async () => {
    const u = (await run(bppllist, ['cal', '-U'])).out;
    expect(u).toContain(
      '  Schedule:              monthly\n    Type:                Full Backup\n    Calendar sched: Enabled\n' +
      '      Included Dates-----------\n        02/29/2028\n        Monday, Week 1\n        Friday, Week 5\n' +
      '      Excluded Dates----------\n        12/25/2026\n        No exclude days of week entered\n        No exclude days of month entered\n    Maximum MPX:         1\n',
    );
    expect(u).toContain('    Frequency:           every 1 day\n      Excluded Dates----------\n        01/01/2027\n');
    const long = (await run(bppllist, ['cal', '-L'])).out;
    expect(long).toContain('  Calendar sched: Enabled\n   SPECIFIC DATE 0 - 02/29/2028\n   WEEK DAY 0 - Monday, Week 1\n   WEEK DAY 1 - Friday, Week 5\n   EXCLUDE DATE 0 - 12/25/2026\n');
    const raw = (await run(bppllist, ['cal', '-l'])).out.split('\n');
    expect(raw).toContain('SCHEDCALENDAR 1');
    expect(raw).toContain(`SCHEDCALIDATES ${Math.floor(new Date(2028, 1, 29).getTime() / 1000)}`);
    expect(raw).toContain('SCHEDCALDAYOWEEK 2,1 6,5');
    expect((await run(bpplsched, ['cal', '-modify', 'monthly', '-cal', '2', '-dayomonth', 'l'])).status).toBe(0);
    const u2 = (await run(bpplsched, ['cal', '-U', '-label', 'monthly'])).out;
    expect(u2).toContain('    Calendar sched: Enabled\n      Allowed to retry after run day\n');
    expect(u2).toContain('        Last day of month\n');
  });

  it('refuses malformed calendar input with 20 and writes nothing', async () => {
    const before = fs.readFileSync(policyFile('cal'), 'utf8');
    const bad = [
      ['-modify', 'monthly', '-cal', '3'],
      ['-modify', 'monthly', '-incl', '02/29/2027'], // not a leap year
      ['-modify', 'monthly', '-incl', '13/01/2027'],
      ['-modify', 'monthly', '-incl', '2027-01-04'],
      ['-modify', 'monthly', '-excl', '04/31/2027'],
      ['-modify', 'monthly', '-weekday', 'Monday'],
      ['-modify', 'monthly', '-weekday', 'Monday', '6'],
      ['-modify', 'monthly', '-weekday', '8', '1'],
      ['-modify', 'monthly', '-weekday', 'Funday', '1'],
      ['-modify', 'monthly', '-dayomonth', '32'],
      ['-modify', 'monthly', '-dayomonth', 'x'],
      ['-modify', 'monthly', '-delincl', '01/01/2030'], // not in the schedule
      ['-modify', 'daily', '-incl', '01/04/2027'], // run days need -cal 1|2
      ['-modify', 'daily', '-weekday', 'Monday', '1'],
      ['-add', 'user', '-st', 'UBAK', '-cal', '1'],
      ['-modify', 'monthly', '-incl', '01/04/2027', '-weekday', 'Monday', '9'], // one bad value: none stored
      ['-L', '-incl', '01/04/2027'],
    ];
    for (const args of bad) {
      const r = await run(bpplsched, ['cal', ...args]);
      expect([args.join(' '), r.status]).toEqual([args.join(' '), 20]);
      expect(r.err).not.toMatch(/\n\s+at /);
    }
    expect((await run(bpplsched, ['cal', '-modify', 'nope', '-cal', '1'])).status).toBe(197);
    expect(fs.readFileSync(policyFile('cal'), 'utf8')).toBe(before);
  });
});

describe('bppllist', () => {
  it('lists names, one policy raw or human, all policies, by client', async () => {
    expect((await run(bppllist, [])).out).toBe('p1\np3\n');
    const raw = (await run(bppllist, ['p1'])).out;
    expect(raw.split('\n').filter((l) => l.startsWith('INCLUDE')).map((l) => l.split(' ')[1])).toEqual(['/etc', '/home/a']);
    expect(raw.split('\n').filter((l) => l.startsWith('CLIENT')).map((l) => l.split(' ')[1])).toEqual(['c1']);
    expect((await run(bppllist, ['p1', '-U'])).out).toContain('Policy Name:       p1\n');
    expect((await run(bppllist, ['-allpolicies', '-U'])).out.match(/^Policy Name:/gm)).toHaveLength(2);
    expect((await run(bppllist, ['-byclient', 'a0', '-L'])).out).toContain('Policy Name:       p3\n');
    expect((await run(bppllist, ['-byclient', 'zz'])).status).toBe(227);
    expect((await run(bppllist, ['nope'])).status).toBe(230);
  });
});

describe('bpretlevel', () => {
  it('lists levels 0-24 with -l', async () => {
    const r = await run(bpretlevel, ['-l']);
    expect(r.out.split('\n')).toHaveLength(26);
    expect((await run(bpretlevel, [])).status).toBe(20);
  });
});
