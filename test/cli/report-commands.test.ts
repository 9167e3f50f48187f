import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ensureHomeLayout, homeAt, socketPath, type Home } from '../../src/config/home.js';
import { serveRpc, route, type RpcServer } from '../../src/ipc/rpc-server.js';
import { createBpdbm, type Bpdbm } from '../../src/master/bpdbm/routes.js';
import { callDaemon } from '../../src/cli/daemon-call.js';
import type { CommandContext, CommandSpec } from '../../src/cli/command.js';
import { bpdbm } from '../../src/protocol/bpdbm.js';
import { bpjobd } from '../../src/protocol/bpjobd.js';
import { command as bplist } from '../../src/cmd/bplist.js';
import { command as bpimagelist } from '../../src/cmd/bpimagelist.js';
import { command as bpdbjobs } from '../../src/cmd/bpdbjobs.js';
import { command as bperror } from '../../src/cmd/bperror.js';
import { file, image } from '../master/bpdbm/fixtures.js';
import { plainContext, runCommand } from '../helpers/command-runner.js';

let home: Home;
let db: Bpdbm;
const servers: RpcServer[] = [];
let ctx: CommandContext;
const now = Math.floor(Date.now() / 1000);

const run = (cmd: CommandSpec, argv: string[]) => runCommand(ctx, cmd, argv);

beforeAll(async () => {
  home = homeAt(fs.mkdtempSync(path.join(os.tmpdir(), 'openbp-cmd-')));
  ensureHomeLayout(home);
  fs.writeFileSync(home.bpConf, 'SERVER = master1\nCLIENT_NAME = h\n');
  ctx = plainContext(home);
  db = createBpdbm(home, () => {});
  servers.push(await serveRpc(socketPath(home, 'bpdbm'), db.routes));
  const job = { jobid: 3, jobtype: 0, state: 3, status: 0, policy: 'p', schedule: 's', client: 'h', server: 'm', started: 1, ended: 2, stunit: 'u',
    operation: 0, kbytes: 1, files: 1, pathLastWritten: '', percent: 100, jobpid: 0, owner: 'root', group: 'root', subtype: 2, policyType: 0,
    schedType: 2, priority: 0, retentionLevel: 1, retentionPeriodDays: 14, compression: 0, fileList: [], tries: [], backupid: '', parentJob: 0, stateDetail: '' };
  servers.push(await serveRpc(socketPath(home, 'bpjobd'), [route(bpjobd.list, ({ jobids }) => ({ jobs: jobids ? [job].filter((j) => jobids.includes(j.jobid)) : [job] }))]));
  const t = now - 3600;
  await callDaemon(home, bpdbm.createImage, image('h', t));
  await callDaemon(home, bpdbm.addFiles, { backupid: `h_${t}`, files: [file('/', 'd'), file('/etc', 'd'), file('/etc/passwd'), file('/etc/ssh', 'd'), file('/etc/ssh/sshd_config'), file('/etc/Caf\xe9')] });
  await callDaemon(home, bpdbm.commitImage, { backupid: `h_${t}`, kbytes: 10, numFiles: 6, elapsed: 3, backupStatus: 0 });
});

afterAll(async () => {
  for (const s of servers) await s.close();
  await db.close();
  fs.rmSync(home.root, { recursive: true, force: true });
});

describe('bplist', () => {
  it('lists a directory, recursively, to a depth', async () => {
    expect((await run(bplist, ['/etc'])).out).toBe('/etc/\n/etc/passwd\n/etc/ssh/\n/etc/Caf\xe9\n');
    expect((await run(bplist, ['-R', '/etc'])).out).toBe('/etc/\n/etc/passwd\n/etc/ssh/\n/etc/ssh/sshd_config\n/etc/Caf\xe9\n');
    expect((await run(bplist, ['-R', '1', '/etc/'])).out.split('\n')).toHaveLength(5);
    expect((await run(bplist, ['-C', 'h', '-l', '/etc/passwd'])).out).toMatch(/^-rw-r--r-- root +root +3004 \w{3} [ \d]\d \d\d:\d\d \/etc\/passwd\n$/);
    expect((await run(bplist, ['-I', '/ETC/PASSWD'])).out).toBe('/etc/passwd\n');
  });
  it('says EXIT STATUS 227 when nothing is found', async () => {
    const r = await run(bplist, ['/nope']);
    expect(r).toEqual({ status: 227, out: '', err: 'EXIT STATUS 227: no entity was found' });
    expect((await run(bplist, ['-e', '01/01/2001', '/etc'])).status).toBe(227);
  });
});

describe('bpimagelist', () => {
  it('lists recent images as -U by default and -l raw', async () => {
    const u = await run(bpimagelist, []);
    expect(u.status).toBe(0);
    expect(u.out.split('\n')[0]).toBe('Backed Up         Expires       Files       KB  C  Sched Type   Policy');
    expect(u.out.split('\n')[2]).toMatch(/^\d\d\/\d\d\/\d{4} \d\d:\d\d  \d\d\/\d\d\/\d{4}        6       10  N  User Backup  openbp-default$/);
    const l = await run(bpimagelist, ['-l', '-client', 'h']);
    expect(l.out.split('\n').map((x) => x.split(' ')[0])).toEqual(['IMAGE', 'HISTO', '']);
    expect((await run(bpimagelist, ['-backupid', `h_${now - 3600}`, '-l'])).status).toBe(0);
  });
  it('exits 227 when no image matches', async () => {
    expect(await run(bpimagelist, ['-client', 'other'])).toEqual({ status: 227, out: '', err: 'no entity was found' });
    expect((await run(bpimagelist, ['-hoursago', '0'])).status).toBe(227);
    expect((await run(bpimagelist, ['-st', 'FULL'])).status).toBe(227);
  });
});

describe('bpdbjobs and bperror', () => {
  it('reports jobs from bpjobd', async () => {
    expect((await run(bpdbjobs, [])).out.split('\n')[0]).toBe('JobID   Type State Status Policy Schedule Client Dest Media Svr Active PID');
    expect((await run(bpdbjobs, ['-summary', '-all_columns'])).out).toBe('master1,0,0,0,1,0,0,0,0,0,1\n');
    expect((await run(bpdbjobs, ['-jobid', '3', '-most_columns'])).out).toMatch(/^3,0,3,0,p,s,h,m,/);
    expect((await run(bpdbjobs, ['-jobid', '99'])).status).toBe(227);
    expect((await run(bpdbjobs, ['-jobid', 'x'])).status).toBe(20);
  });
  it('explains status codes', async () => {
    expect(await run(bperror, ['-S', '227'])).toEqual({ status: 0, out: 'no entity was found\n', err: '' });
    expect((await run(bperror, ['-statuscode', '71', '-r'])).out.split('\n')[1]).toMatch(/^Recommended Action: /);
    expect((await run(bperror, ['-S', '4242'])).status).toBe(227);
  });
});
