// nbtar's restore rules: selections, renames, keep-existing, statuses, atomic file replacement, metadata order.

import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import { runRestore } from '../../src/client/nbtar/restore.js';
import { TarBuilder } from '../../src/archive/tar-writer.js';
import { makeEntry, type TarEntry } from '../../src/archive/tar-entry.js';
import type { NbtarEvent } from '../../src/protocol/job-events.js';
import type { NbtarSpec } from '../../src/protocol/job-specs.js';

let dir: string;
beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'obp-nbtar-'));
});
afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

const T = 1_650_000_000_987_654_321n;

function archive(): Buffer {
  return new TarBuilder()
    .add(makeEntry({ path: 'home', type: 'directory', mode: 0o755, mtimeNs: T }))
    .add(makeEntry({ path: 'home/al', type: 'directory', mode: 0o750, mtimeNs: T + 1n }))
    .add(makeEntry({ path: 'home/al/a.txt', type: 'file', mode: 0o640, mtimeNs: T + 2n }), Buffer.from('alpha'))
    .add(makeEntry({ path: 'home/al/keep', type: 'directory', mode: 0o700, mtimeNs: T + 3n }))
    .add(makeEntry({ path: 'home/al/keep/k.txt', type: 'file', mode: 0o600, mtimeNs: T + 4n }), Buffer.from('kappa'))
    .add(makeEntry({ path: 'home/al/suid', type: 'file', mode: 0o4755, mtimeNs: T + 5n }), Buffer.from('#!'))
    .add(makeEntry({ path: 'home/bo/b.txt', type: 'file', mode: 0o644, mtimeNs: T + 6n }), Buffer.from('beta'))
    .finish();
}

async function restore(spec: Partial<NbtarSpec>, input: Buffer | Buffer[] = archive()) {
  const events: NbtarEvent[] = [];
  const full: NbtarSpec = { jobid: 1, selections: [], renames: [], keepExisting: false, restoreOwnership: false, ...spec };
  const r = await runRestore(full, { input: Readable.from(Array.isArray(input) ? input : [input]), onEvent: (e) => events.push(e) });
  return { ...r, events };
}

const rd = (...p: string[]) => fs.readFileSync(path.join(dir, ...p), 'utf8');

describe('nbtar', () => {
  it('restores only what is selected, through the longest matching rename', async () => {
    const r = await restore({
      selections: ['/home/al'],
      renames: [
        ['/home', `${dir}/h`],
        ['/home/al/keep', `${dir}/k`],
      ],
    });
    expect(r.status).toBe(0);
    expect(rd('h/al/a.txt')).toBe('alpha');
    expect(rd('k/k.txt')).toBe('kappa');
    expect(fs.existsSync(path.join(dir, 'h/bo'))).toBe(false);
    expect(fs.existsSync(path.join(dir, 'h/al/keep'))).toBe(false);
    expect(r.restored).toBe(5);
    expect(r.events.at(-1)).toMatchObject({ kind: 'end', status: 0, files: 5, bytes: 12 });
  });

  it('applies directory modes and ns times after their contents', async () => {
    await restore({ selections: ['/home'], renames: [['/home', `${dir}/h`]] });
    const al = fs.lstatSync(path.join(dir, 'h/al'), { bigint: true });
    expect(Number(al.mode) & 0o7777).toBe(0o750);
    expect(al.mtimeNs).toBe(T + 1n);
    expect(fs.lstatSync(path.join(dir, 'h'), { bigint: true }).mtimeNs).toBe(T);
    const a = fs.lstatSync(path.join(dir, 'h/al/a.txt'), { bigint: true });
    expect([Number(a.mode) & 0o7777, a.mtimeNs]).toEqual([0o640, T + 2n]);
  });

  it('drops setuid when ownership is not restored and keeps it when it is', async () => {
    await restore({ selections: ['/home/al/suid'], renames: [['/home', `${dir}/no`]] });
    expect(fs.statSync(path.join(dir, 'no/al/suid')).mode & 0o7777).toBe(0o755);
    if (process.getuid?.() === 0) {
      await restore({ selections: ['/home/al/suid'], renames: [['/home', `${dir}/yes`]], restoreOwnership: true });
      expect(fs.statSync(path.join(dir, 'yes/al/suid')).mode & 0o7777).toBe(0o4755);
    }
  });

  it('overwrites existing files by default and keeps them with keepExisting', async () => {
    fs.mkdirSync(path.join(dir, 'h/al'), { recursive: true });
    fs.writeFileSync(path.join(dir, 'h/al/a.txt'), 'old');
    const kept = await restore({ selections: ['/home/al/a.txt'], renames: [['/home', `${dir}/h`]], keepExisting: true });
    expect([kept.status, kept.skipped, kept.failed]).toEqual([0, 1, 0]);
    expect(rd('h/al/a.txt')).toBe('old');
    const over = await restore({ selections: ['/home/al/a.txt'], renames: [['/home', `${dir}/h`]] });
    expect(over.status).toBe(0);
    expect(rd('h/al/a.txt')).toBe('alpha');
  });

  it('replaces an empty directory, a symlink or a file where a file goes, and reports a directory with contents', async () => {
    fs.mkdirSync(path.join(dir, 'h/al/a.txt'), { recursive: true });
    fs.mkdirSync(path.join(dir, 'h/al/suid/inside'), { recursive: true });
    const r = await restore({ selections: ['/home/al/a.txt', '/home/al/suid'], renames: [['/home', `${dir}/h`]] });
    expect([r.status, r.restored, r.failed]).toEqual([1, 1, 1]);
    expect(rd('h/al/a.txt')).toBe('alpha');
    expect(fs.statSync(path.join(dir, 'h/al/suid/inside')).isDirectory()).toBe(true);
    expect(r.events.find((e) => e.kind === 'warning')).toMatchObject({ path: `${dir}/h/al/suid`, code: 'ENOTEMPTY' });
    fs.writeFileSync(path.join(dir, 'victim'), 'untouched');
    fs.rmSync(path.join(dir, 'h/al/a.txt'));
    fs.symlinkSync(path.join(dir, 'victim'), path.join(dir, 'h/al/a.txt'));
    const over = await restore({ selections: ['/home/al/a.txt'], renames: [['/home', `${dir}/h`]] });
    expect(over.status).toBe(0);
    expect(fs.lstatSync(path.join(dir, 'h/al/a.txt')).isFile()).toBe(true);
    expect(rd('h/al/a.txt')).toBe('alpha');
    expect(rd('victim')).toBe('untouched');
    expect(fs.readdirSync(path.join(dir, 'h/al')).filter((n) => n.startsWith('.obp'))).toEqual([]);
  });

  it('exits 185 when a selection matches nothing in the stream', async () => {
    const r = await restore({ selections: ['/home/al/a.txt', '/home/zed'], renames: [['/home', `${dir}/h`]] });
    expect(r.status).toBe(185);
    expect(r.unmatched).toEqual(['/home/zed']);
    expect(rd('h/al/a.txt')).toBe('alpha');
  });

  it('exits 175 when nothing selected could be restored', async () => {
    fs.writeFileSync(path.join(dir, 'blocker'), 'a file where a directory must go');
    const r = await restore({ selections: ['/home/al/a.txt'], renames: [['/home', `${dir}/blocker`]] });
    expect(r.status).toBe(175);
    expect(r.events.find((e) => e.kind === 'warning')).toMatchObject({ code: 'ENOTDIR' });
  });

  it('never leaves a truncated file under its final name when the stream breaks mid-file', async () => {
    fs.mkdirSync(path.join(dir, 'h/al'), { recursive: true });
    fs.writeFileSync(path.join(dir, 'h/al/big'), 'previous version');
    const body = Buffer.alloc(300_000, 0x41);
    const whole = new TarBuilder().add(makeEntry({ path: 'home/al/big', type: 'file', mtimeNs: T }), body).finish();
    const r = await restore({ selections: ['/home/al'], renames: [['/home', `${dir}/h`]] }, whole.subarray(0, 100_000));
    expect(r.status).toBe(175);
    expect(rd('h/al/big')).toBe('previous version');
    expect(fs.readdirSync(path.join(dir, 'h/al'))).toEqual(['big']); // no .obp temp left behind
  });

  it('writes 255-byte names through short temp names and keeps non-UTF-8 bytes', async () => {
    const long = 'n'.repeat(255);
    const bin = 'x\xff\xfe';
    const a = new TarBuilder()
      .add(makeEntry({ path: `d/${long}`, type: 'file', mtimeNs: T }), Buffer.from('long'))
      .add(makeEntry({ path: `d/${bin}`, type: 'file', mtimeNs: T }), Buffer.from('binary'))
      .add(makeEntry({ path: `d/${bin}-link`, type: 'symlink', linkpath: bin, mtimeNs: T + 9n }))
      .add(makeEntry({ path: 'd/fifo', type: 'fifo', mode: 0o604, mtimeNs: T }))
      .add(makeEntry({ path: 'd/hard', type: 'hardlink', linkpath: `d/${long}` }))
      .finish();
    const r = await restore({ selections: ['/d'], renames: [['/d', `${dir}/out`]] }, a);
    expect(r.status).toBe(0);
    const names = fs.readdirSync(Buffer.from(path.join(dir, 'out')), { encoding: 'buffer' }).map((b) => b.toString('latin1')).sort();
    expect(names).toEqual([bin, `${bin}-link`, 'fifo', 'hard', long].sort());
    expect(fs.readFileSync(Buffer.from(`${dir}/out/${bin}`, 'latin1'), 'utf8')).toBe('binary');
    const link = Buffer.from(`${dir}/out/${bin}-link`, 'latin1');
    expect((fs.readlinkSync(link, { encoding: 'buffer' }) as Buffer).toString('latin1')).toBe(bin);
    expect(fs.lstatSync(link, { bigint: true }).mtimeNs).toBe(T + 9n);
    expect(fs.lstatSync(path.join(dir, 'out/fifo')).isFIFO()).toBe(true);
    expect(fs.lstatSync(path.join(dir, 'out/fifo')).mode & 0o7777).toBe(0o604);
    expect(fs.statSync(path.join(dir, 'out/hard')).ino).toBe(fs.statSync(path.join(dir, 'out', long)).ino);
  });

  it('restores in place (no rename) to the original absolute path', async () => {
    const base = dir.slice(1);
    const e = (p: string, f: Partial<TarEntry> = {}) => makeEntry({ path: `${base}/${p}`, type: 'file', mtimeNs: T, ...f });
    const a = new TarBuilder().add(e('orig/f'), Buffer.from('in place')).finish();
    const r = await restore({ selections: [`${dir}/orig`] }, a);
    expect(r.status).toBe(0);
    expect(rd('orig/f')).toBe('in place');
  });

  it('reports a damaged stream as a warning and keeps what was restored', async () => {
    const good = new TarBuilder().add(makeEntry({ path: 'd/ok', type: 'file', mtimeNs: 1_650_000_000_000_000_000n }), Buffer.from('ok')).finish();
    const garbage = Buffer.alloc(512, 0x33);
    const r = await restore({ selections: ['/d'], renames: [['/d', `${dir}/out`]] }, Buffer.concat([good.subarray(0, 1024), garbage]));
    expect(r.status).toBe(1);
    expect(rd('out/ok')).toBe('ok');
    expect(r.events.some((e) => e.kind === 'warning' && /damaged/.test(e.message))).toBe(true);
  });

  it('restoring for a user (runAs) takes only the entries recorded as theirs and names the others', async () => {
    const me = { uid: 4242, gid: 4242, user: 'al', host: 'h' };
    const input = new TarBuilder()
      .add(makeEntry({ path: 'home/al', type: 'directory', mode: 0o755, mtimeNs: T, uid: 4242 }))
      .add(makeEntry({ path: 'home/al/mine.txt', type: 'file', mode: 0o644, mtimeNs: T, uid: 4242 }), Buffer.from('mine'))
      .add(makeEntry({ path: 'home/al/roots.txt', type: 'file', mode: 0o644, mtimeNs: T, uid: 0 }), Buffer.from('root'))
      .finish();
    // The process's own rights are the caller's business (nbtar drops to runAs first); here it is the filter.
    const r = await restore({ selections: ['/home/al'], renames: [['/home', `${dir}/h`]], runAs: me }, input);
    expect(r.status).toBe(1);
    expect(rd('h/al/mine.txt')).toBe('mine');
    expect(fs.existsSync(path.join(dir, 'h/al/roots.txt'))).toBe(false);
    expect(r.events).toContainEqual(expect.objectContaining({ kind: 'warning', code: 'EPERM', message: expect.stringContaining('owned by uid 0 when it was backed up, not by al') }));
  });
});
