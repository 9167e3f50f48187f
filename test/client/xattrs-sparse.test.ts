// Xattrs, POSIX ACLs and sparse files through bpbkar | nbtar for real, and GNU tar reading the same stream.

import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import crypto from 'node:crypto';
import { execFileSync, spawnSync } from 'node:child_process';
import { recordsOf, runBpbkar, runNbtar } from './run-client.js';
import { compareTrees } from '../helpers/compare-trees.js';

const isRoot = process.getuid?.() === 0;
const MiB = 1024 * 1024;
const BIG = 10 * 1024 * MiB;

/** getfattr -d -m - with names relative to `root`, so two trees compare as text. */
function attrsOf(root: string, rel: string): string {
  const out = execFileSync('getfattr', ['-h', '-d', '-m', '-', '-e', 'hex', rel], { cwd: root, encoding: 'utf8' });
  return out.replace(/^# file:.*\n/m, '');
}

function aclOf(root: string, rel: string): string {
  return execFileSync('getfacl', ['-n', '-p', rel], { cwd: root, encoding: 'utf8' }).replace(/^# file:.*\n/m, '');
}

/** Hash of n bytes at offset (reads only what it hashes: a 10 GiB file is never read whole). */
function hashAt(file: string, offset: number, n: number): string {
  const fd = fs.openSync(file, 'r');
  try {
    const b = Buffer.alloc(n);
    const got = fs.readSync(fd, b, 0, n, offset);
    return crypto.createHash('sha256').update(b.subarray(0, got)).digest('hex');
  } finally {
    fs.closeSync(fd);
  }
}

function allocatedBytes(file: string): number {
  return Number(fs.statSync(file, { bigint: true }).blocks) * 512;
}

describe('xattrs, ACLs and sparse files', () => {
  let dir: string;
  let src: string;
  let stream: Buffer;

  beforeAll(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'obp-xs-'));
    src = path.join(dir, 'src');
    fs.mkdirSync(path.join(src, 'd'), { recursive: true });
    fs.writeFileSync(path.join(src, 'f'), 'hello\n');
    execFileSync('setfattr', ['-n', 'user.text', '-v', 'plain value', path.join(src, 'f')]);
    execFileSync('setfattr', ['-n', 'user.bin', '-v', '0x00ff0a3d41', path.join(src, 'f')]);
    execFileSync('setfacl', ['-m', 'u:nobody:r,g:nogroup:rw', path.join(src, 'f')]);
    execFileSync('setfattr', ['-n', 'user.dir', '-v', 'on a directory', path.join(src, 'd')]);
    execFileSync('setfacl', ['-m', 'u:nobody:rx', '-d', '-m', 'u:nobody:rwx', path.join(src, 'd')]);
    if (isRoot) execFileSync('setfattr', ['-n', 'trusted.t', '-v', 'root only', path.join(src, 'd')]);
    // 10 GiB with 1 MiB of data at each end.
    const big = path.join(src, 'big');
    const fd = fs.openSync(big, 'w');
    fs.writeSync(fd, crypto.randomBytes(MiB), 0, MiB, 0);
    fs.writeSync(fd, crypto.randomBytes(MiB), 0, MiB, BIG - MiB);
    fs.closeSync(fd);
    fs.utimesSync(path.join(src, 'd'), 1_700_000_000, 1_700_000_000);
    const run = await runBpbkar(dir, { jobid: 1, backupid: 'c_1', client: 'c', paths: [src] });
    expect(run.stderr).toBe('');
    expect(run.events.filter((e) => e.kind === 'warning')).toEqual([]);
    expect(run.status).toBe(0);
    stream = run.stdout;
  }, 120_000);
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('writes the big file as a sparse entry: a stream of a few MiB, the catalogue keeps the real size', async () => {
    expect(stream.length).toBeLessThan(4 * MiB);
    const run = await runBpbkar(dir, { jobid: 1, backupid: 'c_1', client: 'c', paths: [path.join(src, 'big')] });
    const files = recordsOf(run);
    expect(files.map((f) => f.size)).toEqual([BIG]);
  }, 60_000);

  it('nbtar restores xattrs, ACLs and holes', async () => {
    const dst = path.join(dir, 'restored');
    const n = await runNbtar(dir, { jobid: 1, selections: [src], renames: [[src, dst]], keepExisting: false, restoreOwnership: isRoot }, stream);
    expect([n.status, n.stderr]).toEqual([0, '']);
    expect(n.events.filter((e) => e.kind === 'warning')).toEqual([]);
    for (const rel of ['f', 'd']) {
      expect(attrsOf(dst, rel)).toBe(attrsOf(src, rel));
      expect(aclOf(dst, rel)).toBe(aclOf(src, rel));
    }
    expect(fs.statSync(path.join(dst, 'd')).mtimeMs).toBe(1_700_000_000_000);
    // The 10 GiB file sits outside d: compareTrees reads contents whole.
    expect(await compareTrees(path.join(src, 'd'), path.join(dst, 'd'), { owners: isRoot, xattrs: true })).toEqual([]);
    const a = path.join(src, 'big');
    const b = path.join(dst, 'big');
    expect(fs.statSync(b).size).toBe(BIG);
    expect(Math.abs(allocatedBytes(b) - allocatedBytes(a))).toBeLessThan(4 * MiB);
    expect(hashAt(b, 0, 2 * MiB)).toBe(hashAt(a, 0, 2 * MiB));
    expect(hashAt(b, BIG - 2 * MiB, 2 * MiB)).toBe(hashAt(a, BIG - 2 * MiB, 2 * MiB));
    expect(hashAt(b, BIG / 2, MiB)).toBe(hashAt(a, BIG / 2, MiB));
  }, 120_000);

  it('GNU tar lists and extracts our xattrs, ACLs and sparse entry', () => {
    const out = path.join(dir, 'gnu');
    fs.mkdirSync(out);
    const archive = path.join(dir, 'stream.tar');
    fs.writeFileSync(archive, stream);
    const x = spawnSync('tar', ['--xattrs', '--xattrs-include=*', '--acls', '-xpf', archive, '-C', out], { encoding: 'utf8' });
    expect([x.status, x.stderr]).toEqual([0, '']);
    const base = path.join(out, src.replace(/^\//, ''));
    for (const rel of ['f', 'd']) {
      expect(attrsOf(base, rel)).toBe(attrsOf(src, rel));
      expect(aclOf(base, rel)).toBe(aclOf(src, rel));
    }
    const big = path.join(base, 'big');
    expect(fs.statSync(big).size).toBe(BIG);
    expect(allocatedBytes(big)).toBeLessThan(8 * MiB);
    expect(hashAt(big, BIG - MiB, MiB)).toBe(hashAt(path.join(src, 'big'), BIG - MiB, MiB));
    const listing = execFileSync('tar', ['-tvf', archive], { encoding: 'utf8' });
    expect(listing).toContain(`${src.replace(/^\//, '')}/big`);
    expect(listing).not.toContain('GNUSparseFile');
  }, 120_000);

  it('bsdtar reads our sparse entry with its real size and data', () => {
    if (spawnSync('bsdtar', ['--version']).status !== 0) return;
    const archive = path.join(dir, 'stream.tar');
    fs.writeFileSync(archive, stream);
    const out = path.join(dir, 'bsd');
    fs.mkdirSync(out);
    const x = spawnSync('bsdtar', ['-xf', archive, '-C', out], { encoding: 'utf8' });
    expect(x.status).toBe(0);
    const big = path.join(out, src.replace(/^\//, ''), 'big');
    expect(fs.statSync(big).size).toBe(BIG);
    expect(hashAt(big, 0, MiB)).toBe(hashAt(path.join(src, 'big'), 0, MiB));
    expect(hashAt(big, BIG - MiB, MiB)).toBe(hashAt(path.join(src, 'big'), BIG - MiB, MiB));
  }, 120_000);

  it('nbtar restores a sparse file archived by GNU tar --sparse --format=posix, holes kept', async () => {
    const work = path.join(dir, 'gnu-made');
    fs.mkdirSync(work);
    const file = path.join(work, 's');
    const fd = fs.openSync(file, 'w');
    fs.writeSync(fd, Buffer.from('head'), 0, 4, 0);
    fs.writeSync(fd, Buffer.from('tail'), 0, 4, 64 * MiB);
    fs.closeSync(fd);
    fs.truncateSync(file, 128 * MiB); // a trailing hole too
    const archive = execFileSync('tar', ['--sparse', '--format=posix', '-cf', '-', '-C', '/', file.replace(/^\//, '')]);
    const dst = path.join(dir, 'gnu-made-restored');
    const n = await runNbtar(dir, { jobid: 1, selections: [work], renames: [[work, dst]], keepExisting: false, restoreOwnership: false }, archive);
    expect([n.status, n.events.filter((e) => e.kind === 'warning')]).toEqual([0, []]);
    const out = path.join(dst, 's');
    expect(fs.statSync(out).size).toBe(128 * MiB);
    expect(allocatedBytes(out)).toBeLessThan(MiB);
    expect(hashAt(out, 0, 4)).toBe(hashAt(file, 0, 4));
    expect(hashAt(out, 64 * MiB, 4)).toBe(hashAt(file, 64 * MiB, 4));
  }, 60_000);

  it('a failing xattr is a warning (status 1), the file is still restored', async () => {
    const dst = path.join(dir, 'bad-xattr');
    const { TarBuilder } = await import('../../src/archive/tar-writer.js');
    const { makeEntry } = await import('../../src/archive/tar-entry.js');
    const rel = path.join(dst, 'x').replace(/^\//, '');
    const archive = new TarBuilder().add(makeEntry({ path: rel, type: 'file', extra: { 'SCHILY.xattr.bogus.namespace': 'v', 'SCHILY.xattr.user.ok': 'yes' } }), Buffer.from('data')).finish();
    const n = await runNbtar(dir, { jobid: 1, selections: [dst], renames: [], keepExisting: false, restoreOwnership: false }, archive);
    expect(n.status).toBe(1);
    expect(n.events.filter((e) => e.kind === 'warning').map((e) => e.message)).toEqual([expect.stringContaining('bogus.namespace')]);
    expect(fs.readFileSync(path.join(dst, 'x'), 'utf8')).toBe('data');
    expect(execFileSync('getfattr', ['--only-values', '-n', 'user.ok', path.join(dst, 'x')], { encoding: 'utf8' })).toBe('yes');
  }, 60_000);
});
