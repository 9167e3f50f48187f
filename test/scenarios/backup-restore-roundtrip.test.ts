// End to end on the real daemons: back up a tree holding everything that must round-trip, restore it
// elsewhere through a rename file, compare every byte and attribute; the reports see the image and jobs.

import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { execa } from 'execa';
import { OpenbpHome } from '../helpers/openbp-home.js';
import { makeFidelityTree } from '../helpers/make-tree.js';
import { compareTrees } from '../helpers/compare-trees.js';

const isRoot = process.getuid?.() === 0;

describe('backup and restore round trip (real daemons, disk storage unit)', () => {
  let home: OpenbpHome;
  let srcBase: string;
  let dstBase: string;
  let src: string;
  let dst: string;

  beforeAll(async () => {
    home = OpenbpHome.create();
    // Same-length parents so that paths close to PATH_MAX still fit when restored elsewhere.
    srcBase = fs.mkdtempSync(path.join(os.tmpdir(), 'obpsrc-'));
    dstBase = fs.mkdtempSync(path.join(os.tmpdir(), 'obpdst-'));
    src = path.join(srcBase, 'tree');
    dst = path.join(dstBase, 'tree');
    fs.mkdirSync(src);
    await makeFidelityTree(src);
    fs.writeFileSync(path.join(src, 'plain.txt'), 'the original contents\n');
    // Extended attributes, a POSIX ACL (default ACL on a directory too) and a sparse file.
    fs.writeFileSync(path.join(src, 'attributed.txt'), 'with xattrs\n');
    await execa('setfattr', ['-n', 'user.openbp.note', '-v', '0x00ff7f80', path.join(src, 'attributed.txt')]);
    await execa('setfacl', ['-m', 'u:nobody:r', path.join(src, 'attributed.txt')]);
    fs.mkdirSync(path.join(src, 'acl-dir'));
    await execa('setfacl', ['-d', '-m', 'g:nogroup:rx', path.join(src, 'acl-dir')]);
    const fd = fs.openSync(path.join(src, 'sparse.img'), 'w');
    fs.writeSync(fd, Buffer.alloc(4096, 1), 0, 4096, 0);
    fs.writeSync(fd, Buffer.alloc(4096, 2), 0, 4096, 256 * 1024 * 1024);
    fs.closeSync(fd);
  });

  afterAll(async () => {
    await home.destroy();
    fs.rmSync(srcBase, { recursive: true, force: true });
    fs.rmSync(dstBase, { recursive: true, force: true });
  });

  it('backs up with bpbackup -w and reports status 0', async () => {
    const r = await home.run('bpbackup', ['-w', src]);
    expect({ code: r.code, out: r.stdout.trim(), err: r.stderr }).toEqual({ code: 0, out: 'EXIT STATUS 0: the requested operation was successfully completed', err: '' });
  });

  it('restores through a rename file, identical byte for byte and attribute for attribute', async () => {
    const renameFile = home.path('rename');
    fs.writeFileSync(renameFile, `change ${src} to ${dst}\n`);
    const r = await home.run('bprestore', ['-w', '-R', renameFile, src]);
    expect(r.code).toBe(0);
    expect(r.stdout.trim()).toBe('EXIT STATUS 0: the requested operation was successfully completed');
    expect(await compareTrees(src, dst, { owners: isRoot, xattrs: true })).toEqual([]);
    // The sparse file came back sparse: about the same disk use, not 256 MiB.
    expect(fs.statSync(path.join(dst, 'sparse.img')).blocks * 512).toBeLessThan(1024 * 1024);
  });

  it('overwrites existing files by default and keeps them with -K', async () => {
    const renameFile = home.path('rename');
    const name = 'plain.txt';
    const target = path.join(dst, name);
    const original = fs.readFileSync(path.join(src, name));
    fs.writeFileSync(target, 'changed locally');
    expect((await home.run('bprestore', ['-w', '-K', '-R', renameFile, path.join(src, name)])).code).toBe(0);
    expect(fs.readFileSync(target, 'utf8')).toBe('changed locally');
    expect((await home.run('bprestore', ['-w', '-R', renameFile, path.join(src, name)])).code).toBe(0);
    expect(fs.readFileSync(target)).toEqual(original);
    const leftovers = fs.readdirSync(dst).filter((n) => n.startsWith('.obp'));
    expect(leftovers).toEqual([]);
  });

  it('lists the image and its files in NetBackup layouts', async () => {
    const il = await home.ok('bpimagelist', ['-l']);
    const imageLines = il.stdout.split('\n').filter((l) => l.startsWith('IMAGE '));
    expect(imageLines).toHaveLength(1);
    const fields = imageLines[0]!.split(' ');
    expect(fields[1]).toBe(os.hostname().split('.')[0]);
    expect(fields[5]).toMatch(new RegExp(`^${fields[1]}_\\d{10}$`));
    expect(il.stdout).toMatch(/^HISTO -1 -1 -1 -1 -1 -1 -1 -1 -1 -1$/m);
    expect(il.stdout).toMatch(/^FRAG 1 1 /m);
    const bl = await home.ok('bplist', ['-R', src]);
    const listed = bl.stdoutBytes.toString('latin1').split('\n');
    expect(listed.length).toBeGreaterThan(20);
    const jobs = await home.ok('bpdbjobs', ['-report', '-most_columns']);
    const rows = jobs.stdout.trim().split('\n').map((l) => l.split(','));
    expect(rows.filter((r) => r[1] === '0' && r[2] === '3' && r[3] === '0')).toHaveLength(1); // one backup done, status 0
    expect(rows.filter((r) => r[1] === '2' && r[2] === '3' && r[3] === '0').length).toBeGreaterThanOrEqual(3); // restores done
  });

  it('wrote a fragment GNU tar can list', async () => {
    const stu = home.path('stu', 'default');
    const frags = fs.readdirSync(stu).filter((f) => f.endsWith('.img'));
    expect(frags).toHaveLength(1);
    const r = await execa('tar', ['-tf', path.join(stu, frags[0]!)], { reject: false, encoding: 'buffer' });
    expect(r.exitCode).toBe(0);
    const names = Buffer.from(r.stdout as unknown as Uint8Array).toString('latin1').split('\n').filter(Boolean);
    expect(names.length).toBeGreaterThan(20);
    // Its page-aligned runs were written O_DIRECT and its tail through the page cache (its size is no multiple
    // of the page): GNU tar reads a large file out of it byte for byte.
    expect(fs.statSync(path.join(stu, frags[0]!)).size % 4096).not.toBe(0);
    const big = await execa('tar', ['-xOf', path.join(stu, frags[0]!), path.join(src, 'files', 'big').slice(1)], { reject: false, encoding: 'buffer' });
    expect(big.exitCode).toBe(0);
    expect(Buffer.from(big.stdout as unknown as Uint8Array).equals(fs.readFileSync(path.join(src, 'files', 'big')))).toBe(true);
  });
});
