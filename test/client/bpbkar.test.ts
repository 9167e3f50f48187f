// bpbkar as a process: exit statuses, warnings, unreadable files, symlinks at the top, a slow reader on the pipe.

import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import net from 'node:net';
import { spawn, spawnSync } from 'node:child_process';
import { Readable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { TarReader, type ReadEntry } from '../../src/archive/tar-reader.js';
import { readEventLines } from '../../src/ipc/event-lines.js';
import { runBpbkar, specArgs } from './run-client.js';
import { spawnCommandModule } from '../helpers/run-binary.js';
import { createTestUser, removeTestUser } from '../helpers/test-user.js';

let dir: string;
beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'obp-bkar-'));
});
afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

const spec = (paths: string[]) => ({ jobid: 7, backupid: 'c_7', client: 'c', paths });

async function entriesOf(stream: Buffer): Promise<string[]> {
  const reader = new TarReader(Readable.from([stream]));
  const out: string[] = [];
  for (let r = await reader.next(); r !== null; r = await reader.next()) out.push(`${(r as ReadEntry).entry.type} ${(r as ReadEntry).entry.path}`);
  return out;
}

describe('bpbkar', () => {
  it('reads files and directories without updating their access times (O_NOATIME), also where relatime would', async () => {
    const sub = path.join(dir, 'sub');
    fs.mkdirSync(sub);
    fs.writeFileSync(path.join(sub, 'small'), 'read me\n');
    fs.writeFileSync(path.join(sub, 'big'), Buffer.alloc(3 << 20, 7)); // read in pieces (and spliced into a pipe)
    // Access times older than the modification: a plain read would move them (relatime).
    for (const p of [sub, path.join(sub, 'small'), path.join(sub, 'big')]) fs.utimesSync(p, 1_000_000, fs.statSync(p).mtime);
    const run = await runBpbkar(dir, spec([sub]));
    expect(run.status).toBe(0);
    expect(await entriesOf(run.stdout)).toEqual([`directory ${sub.slice(1)}`, `file ${sub.slice(1)}/big`, `file ${sub.slice(1)}/small`]);
    for (const p of [sub, path.join(sub, 'small'), path.join(sub, 'big')]) expect(fs.statSync(p).atimeMs).toBe(1_000_000_000);
  });

  it('reads what a user may read but does not own (O_NOATIME refused: the file is opened without it)', async () => {
    const user = await createTestUser();
    if (typeof user === 'string') return console.warn(`skipped: ${user}`);
    try {
      fs.chmodSync(dir, 0o755);
      fs.writeFileSync(path.join(dir, 'roots'), 'owned by root, readable by all\n', { mode: 0o644 });
      const run = await runBpbkar(dir, { ...spec([path.join(dir, 'roots')]), runAs: { uid: user.uid, gid: user.gid, user: user.name, host: 'h' } });
      expect(run.status).toBe(0);
      expect(await entriesOf(run.stdout)).toEqual([`file ${dir.slice(1)}/roots`]);
    } finally {
      await removeTestUser(user);
    }
  });

  it('exits 71 when none of the paths exist, with an empty but valid archive', async () => {
    const run = await runBpbkar(dir, spec([path.join(dir, 'nope'), path.join(dir, 'nope2')]));
    expect(run.status).toBe(71);
    expect(run.stdout.length).toBe(10240);
    expect(run.events.filter((e) => e.kind === 'warning').length).toBe(2);
    expect(run.events.at(-1)).toMatchObject({ kind: 'end', status: 71, files: 0 });
  });

  it('exits 1 when some paths are missing and saves the rest', async () => {
    fs.writeFileSync(path.join(dir, 'here'), 'x');
    const run = await runBpbkar(dir, spec([path.join(dir, 'here'), path.join(dir, 'gone')]));
    expect(run.status).toBe(1);
    expect(await entriesOf(run.stdout)).toEqual([`file ${dir.slice(1)}/here`]);
  });

  it('stores a symlink given as a selection as the symlink itself, never following it', async () => {
    fs.mkdirSync(path.join(dir, 'real'));
    fs.writeFileSync(path.join(dir, 'real', 'f'), 'x');
    fs.symlinkSync(path.join(dir, 'real'), path.join(dir, 'link'));
    const run = await runBpbkar(dir, spec([path.join(dir, 'link')]));
    expect(run.status).toBe(0);
    expect(await entriesOf(run.stdout)).toEqual([`symlink ${dir.slice(1)}/link`]);
  });

  it('skips sockets silently, as GNU tar does', async () => {
    const sock = path.join(dir, 's.sock');
    const server = net.createServer().listen(sock);
    await new Promise((r) => server.once('listening', r));
    try {
      const run = await runBpbkar(dir, spec([dir]));
      expect(run.status).toBe(0);
      expect((await entriesOf(run.stdout)).some((e) => e.includes('s.sock'))).toBe(false);
    } finally {
      server.close();
    }
  });

  it('warns about an unreadable file and a directory it cannot list, exits 1, saves the rest', async () => {
    fs.writeFileSync(path.join(dir, 'readable'), 'ok');
    fs.writeFileSync(path.join(dir, 'secret'), 'no');
    fs.chmodSync(path.join(dir, 'secret'), 0o000);
    fs.linkSync(path.join(dir, 'secret'), path.join(dir, 'secret-link')); // must not become a link to an entry never written
    fs.mkdirSync(path.join(dir, 'closed'));
    fs.writeFileSync(path.join(dir, 'closed', 'inner'), 'no');
    fs.chmodSync(path.join(dir, 'closed'), 0o000);
    const here = path.dirname(fileURLToPath(import.meta.url));
    const out = path.resolve(here, '..', '..');
    const script = `import { main } from ${JSON.stringify(path.join(out, 'src/cli/main.js'))}; import { command } from ${JSON.stringify(path.join(out, 'src/cmd/bpbkar.js'))}; await main(command, process.argv.slice(1));`;
    const nodeArgs = ['--input-type=module', '-e', script, '--', ...specArgs(dir, 'spec', spec([dir]))];
    // Root reads everything; drop every capability so permission bits apply (as root would on NFS with root squash).
    const isRoot = process.getuid?.() === 0;
    if (isRoot && spawnSync('setpriv', ['--version']).status !== 0) return; // no setpriv: cannot make root feel EACCES
    const child = isRoot
      ? spawn('setpriv', ['--inh-caps=-all', '--bounding-set=-all', process.execPath, ...nodeArgs], { stdio: ['ignore', 'pipe', 'pipe', 'pipe'] })
      : spawn(process.execPath, nodeArgs, { stdio: ['ignore', 'pipe', 'pipe', 'pipe'] });
    const events: Array<Record<string, unknown>> = [];
    const chunks: Buffer[] = [];
    child.stdout!.on('data', (b: Buffer) => chunks.push(b));
    const done = readEventLines(child.stdio[3] as Readable, (v) => events.push(v as Record<string, unknown>));
    const status = await new Promise<number | null>((r) => child.on('exit', (c) => r(c)));
    await done;
    fs.chmodSync(path.join(dir, 'closed'), 0o755);
    expect(status).toBe(1);
    const warnings = events.filter((e) => e.kind === 'warning');
    expect(warnings.map((w) => [w.path, w.code])).toEqual([
      [path.join(dir, 'closed'), 'EACCES'],
      [path.join(dir, 'secret'), 'EACCES'],
      [path.join(dir, 'secret-link'), 'EACCES'],
    ]);
    const entries = await entriesOf(Buffer.concat(chunks));
    expect(entries).toContain(`file ${dir.slice(1)}/readable`);
    expect(entries).toContain(`directory ${dir.slice(1)}/closed`);
    expect(entries.some((e) => e.includes('/secret'))).toBe(false);
  });

  it('keeps the stream intact for a slow reader (backpressure on the pipe)', async () => {
    const big = Buffer.alloc(12 * 1024 * 1024 + 5);
    for (let i = 0; i < big.length; i += 4096) big.writeUInt32BE(i, i);
    fs.writeFileSync(path.join(dir, 'big'), big);
    for (let i = 0; i < 200; i++) fs.writeFileSync(path.join(dir, `small-${i}`), `small ${i}`);
    const child = spawnCommandModule('bpbkar', specArgs(dir, 'spec', spec([path.join(dir)])), { stdio: ['ignore', 'pipe', 'pipe', 'pipe'] });
    const eventsDone = readEventLines(child.stdio[3] as Readable, () => {});
    const chunks: Buffer[] = [];
    let paused = false;
    child.stdout!.on('data', (b: Buffer) => {
      chunks.push(b);
      if (!paused) {
        paused = true;
        child.stdout!.pause();
        setTimeout(() => child.stdout!.resume(), 300);
      }
    });
    const status = await new Promise<number | null>((r) => child.on('exit', (c) => r(c)));
    await eventsDone;
    await new Promise((r) => setImmediate(r));
    expect(status).toBe(0);
    const reader = new TarReader(Readable.from([Buffer.concat(chunks)]));
    let found = false;
    for (let r = await reader.next(); r !== null; r = await reader.next()) {
      const e = (r as ReadEntry).entry;
      if (!e.path.endsWith('/big')) continue;
      const parts: Buffer[] = [];
      for await (const b of reader.body()) parts.push(Buffer.from(b));
      expect(Buffer.concat(parts).equals(big)).toBe(true);
      found = true;
    }
    expect(found).toBe(true);
  });
});
