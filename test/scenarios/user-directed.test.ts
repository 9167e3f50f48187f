// NetBackup's user-directed rules against a root-run master: a throw-away user backs up what they can
// read, sees and restores only what they owned, never reaches a daemon but bprd; root restores and
// redirects anything. The home and sockets are closed to other users.

import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { execa } from 'execa';
import { OpenbpHome } from '../helpers/openbp-home.js';
import { compareTrees } from '../helpers/compare-trees.js';
import { createTestUser, removeTestUser, type TestUser } from '../helpers/test-user.js';

const DAEMON_SOCKETS = ['bpdbm', 'bpjobd', 'nbemm', 'nbrb', 'nbjm', 'nbpem', 'bprd'];

function mode(p: string): number {
  return fs.statSync(p).mode & 0o7777;
}

/** Writes the user's tree (owned by them) and a root-only file beside it. */
function makeData(data: string, user: TestUser): { mine: string; secret: string } {
  const mine = path.join(data, 'mine');
  fs.mkdirSync(path.join(mine, 'sub'), { recursive: true });
  fs.writeFileSync(path.join(mine, 'a.txt'), 'alpha\n');
  fs.writeFileSync(path.join(mine, 'sub', 'b.bin'), Buffer.alloc(70_000, 7));
  fs.chmodSync(path.join(mine, 'sub', 'b.bin'), 0o640);
  for (const p of [mine, path.join(mine, 'sub'), path.join(mine, 'a.txt'), path.join(mine, 'sub', 'b.bin')]) fs.chownSync(p, user.uid, user.gid);
  const secret = path.join(data, 'secret.txt');
  fs.writeFileSync(secret, 'root only\n', { mode: 0o600 });
  return { mine, secret };
}

describe('user-directed backup and restore by a non-root user', () => {
  let user: TestUser | undefined;
  let skip = '';
  let home: OpenbpHome;
  let data: string;
  let copy: string;
  let out: string;
  let mine: string;
  let secret: string;
  /** Runs a command as the test user; a hang fails with the process table and the logs. */
  const asUser = (name: string, args: string[]) => home.within(home.run(name, args, { uid: user!.uid, gid: user!.gid }), 60_000, `${name} ${args.join(' ')} as the user`);

  beforeAll(async () => {
    const u = await createTestUser();
    if (typeof u === 'string') {
      skip = u;
      return;
    }
    user = u;
    home = OpenbpHome.create('obpua');
    // Under /tmp (1777), each directory on the way 0755 or the user's own: the user can reach what is theirs.
    data = fs.mkdtempSync(path.join(os.tmpdir(), 'obpud-'));
    fs.chmodSync(data, 0o755);
    ({ mine, secret } = makeData(data, user));
    copy = fs.mkdtempSync(path.join(os.tmpdir(), 'obpuc-'));
    await execa('cp', ['-a', mine, path.join(copy, 'mine')]);
    out = fs.mkdtempSync(path.join(os.tmpdir(), 'obpuo-'));
    fs.chmodSync(out, 0o755);
    await home.ok('bp.start_all');
  }, 60_000);

  afterAll(async () => {
    if (!user) return;
    await home.destroy();
    for (const d of [data, copy, out]) fs.rmSync(d, { recursive: true, force: true });
    await removeTestUser(user);
  });

  it('keeps the home and every daemon socket but bprd\'s user socket closed to other users', async () => {
    if (skip) return console.warn(`skipped: ${skip}`);
    expect(mode(home.root)).toBe(0o711);
    expect(mode(home.path('run'))).toBe(0o711);
    for (const d of ['db', 'logs', 'stu']) expect([d, mode(home.path(d))]).toEqual([d, 0o700]);
    for (const d of DAEMON_SOCKETS) expect([d, mode(home.path('run', `${d}.sock`))]).toEqual([d, 0o600]);
    expect(mode(home.path('run', 'bprd-user.sock'))).toBe(0o666);
    // The user can neither list the home nor connect to a daemon's own socket.
    const probe = `const net = require('net'); const fs = require('fs');
      const out = {}; try { fs.readdirSync(process.argv[1]); out.list = 'ok'; } catch (e) { out.list = e.code; }
      let n = 0; const socks = process.argv.slice(2);
      for (const s of socks) net.createConnection(s).on('connect', function () { out[s] = 'connected'; this.destroy(); if (++n === socks.length) console.log(JSON.stringify(out)); })
        .on('error', (e) => { out[s] = e.code; if (++n === socks.length) console.log(JSON.stringify(out)); });`;
    const socks = DAEMON_SOCKETS.map((d) => home.path('run', `${d}.sock`));
    const r = await execa(process.execPath, ['-e', probe, home.path('run'), ...socks], { uid: user!.uid, gid: user!.gid, reject: false });
    const seen = JSON.parse(r.stdout) as Record<string, string>;
    expect(seen.list).toBe('EACCES');
    for (const s of socks) expect([s, seen[s]]).toEqual([s, 'EACCES']);
    // Admin commands are root's: one line, status 131.
    const jobs = await asUser('bpdbjobs', []);
    expect(jobs.code).toBe(131);
    expect(jobs.stderr.trim().split('\n')).toHaveLength(1);
  });

  it('backs up the user\'s own files and reports another user\'s file as skipped (status 1)', async () => {
    if (skip) return console.warn(`skipped: ${skip}`);
    const r = await asUser('bpbackup', ['-w', mine, secret]);
    expect([r.code, r.stderr]).toEqual([1, expect.stringMatching(/WRN - .*secret\.txt.*EACCES/)]);
    const list = await home.ok('bplist', ['-R', '-l', data]);
    expect(list.stdout).toContain(`${mine}/a.txt`);
    expect(list.stdout).not.toContain('secret.txt');
    expect((await home.ok('bpdbjobs', ['-all_columns'])).stdout).toContain(user!.name);
  });

  it('root restores the user\'s image elsewhere (-R) with the user still owning the files', async () => {
    if (skip) return console.warn(`skipped: ${skip}`);
    const rename = home.path('rename-root');
    fs.writeFileSync(rename, `change ${mine} to ${path.join(out, 'byroot')}\n`);
    await home.ok('bprestore', ['-w', '-R', rename, mine]);
    expect(await compareTrees(path.join(copy, 'mine'), path.join(out, 'byroot'), { owners: true })).toEqual([]);
    expect(fs.statSync(path.join(out, 'byroot', 'a.txt')).uid).toBe(user!.uid);
  });

  it('bplist shows the user only their own files, also from root\'s image', async () => {
    if (skip) return console.warn(`skipped: ${skip}`);
    await home.ok('bpbackup', ['-w', data]); // root's image: the secret and the user's tree
    const root = await home.ok('bplist', ['-R', data]);
    expect(root.stdout).toContain(secret);
    const u = await asUser('bplist', ['-R', '-l', data]);
    expect(u.code).toBe(0);
    expect(u.stdout).toContain(`${mine}/sub/b.bin`);
    expect(u.stdout).not.toContain('secret.txt');
    expect(u.stdout.split('\n').filter((l) => l.trim()).every((l) => l.includes(user!.name))).toBe(true);
    const hidden = await asUser('bplist', [secret]);
    expect([hidden.code, hidden.stderr.trim()]).toEqual([227, 'EXIT STATUS 227: no entity was found']);
  });

  it('the user restores their own files in place and, with -R, into a directory they own', async () => {
    if (skip) return console.warn(`skipped: ${skip}`);
    fs.rmSync(path.join(mine, 'sub'), { recursive: true });
    fs.rmSync(path.join(mine, 'a.txt'));
    const r = await asUser('bprestore', ['-w', mine]);
    expect([r.code, r.stderr]).toEqual([0, '']);
    expect(await compareTrees(path.join(copy, 'mine'), mine, { owners: true, dirTimes: false })).toEqual([]);
    const own = path.join(out, 'own');
    fs.mkdirSync(own);
    fs.chownSync(own, user!.uid, user!.gid);
    const rename = path.join(own, 'rename');
    fs.writeFileSync(rename, `change ${mine} to ${path.join(own, 'copy')}\n`);
    expect((await asUser('bprestore', ['-w', '-R', rename, mine])).code).toBe(0);
    expect(fs.readFileSync(path.join(own, 'copy', 'sub', 'b.bin'))).toEqual(Buffer.alloc(70_000, 7));
    const st = fs.statSync(path.join(own, 'copy', 'sub', 'b.bin'));
    expect([st.uid, st.gid, st.mode & 0o777]).toEqual([user!.uid, user!.gid, 0o640]);
  });

  it('refuses, in one line with status 135, root\'s files, another client, and writing where the user cannot', async () => {
    if (skip) return console.warn(`skipped: ${skip}`);
    const theirs = await asUser('bprestore', ['-w', secret]);
    expect(theirs.code).toBe(135);
    expect(theirs.stderr.trim().split('\n')).toEqual([expect.stringMatching(/secret\.txt was not owned by .* only root may restore it \(status 135\)/)]);
    const mixed = await asUser('bprestore', ['-w', mine, secret]);
    expect([mixed.code, mixed.stderr]).toEqual([1, expect.stringContaining(`${secret}: not yours when it was backed up`)]);
    const dir = await asUser('bprestore', ['-w', data]);
    expect(dir.code).toBe(135);
    const redirect = await asUser('bprestore', ['-w', '-D', 'otherclient', mine]);
    expect([redirect.code, redirect.stderr]).toEqual([135, expect.stringContaining('-D is root')]);
    const other = await asUser('bplist', ['-C', 'otherclient', '-R', '/']);
    expect(other.code).toBe(135);
    const immediate = await asUser('bpbackup', ['-i', '-p', 'openbp-default']);
    expect(immediate.code).toBe(135);
    // -R into root's directory: nbtar writes with the user's rights, so nothing lands there.
    const rootOnly = fs.mkdtempSync(path.join(out, 'rootonly-'));
    const rename = path.join(out, 'rename-user');
    fs.writeFileSync(rename, `change ${mine} to ${path.join(rootOnly, 'x')}\n`, { mode: 0o644 });
    const denied = await asUser('bprestore', ['-w', '-R', rename, mine]);
    expect(denied.code).toBe(175);
    expect(fs.readdirSync(rootOnly)).toEqual([]);
  });

  it('a user\'s command says in one line that the master is not running, and starts nothing', async () => {
    if (skip) return console.warn(`skipped: ${skip}`);
    await home.ok('bp.kill_all');
    const r = await asUser('bplist', ['-R', data]);
    expect(r.code).toBe(25);
    expect(r.stderr.trim().split('\n')).toEqual([expect.stringMatching(/master at .* is not running .*bp\.start_all \(status 25\)/)]);
    const start = await asUser('bp.start_all', []);
    expect([start.code, start.stderr]).toEqual([131, expect.stringMatching(/^bp\.start_all: only root may start the daemons of the openbp master at .* \(status 131\)$/)]);
    expect(fs.readdirSync(home.path('run')).filter((f) => f.endsWith('.sock'))).toEqual([]);
  });
});
