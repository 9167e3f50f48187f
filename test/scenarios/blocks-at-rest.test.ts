// Compression and encryption at rest through the real daemons: the fidelity tree round-trips compressed,
// a compressible file takes less storage, a single-file (range) restore still works; encrypted images
// hold no plaintext, restore with their key, and fail 85 with a one-line reason when tampered or keyless.

import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import crypto from 'node:crypto';
import { OpenbpHome } from '../helpers/openbp-home.js';
import { makeFidelityTree } from '../helpers/make-tree.js';
import { compareTrees } from '../helpers/compare-trees.js';
import { callDaemon } from '../../src/cli/daemon-call.js';
import { homeAt } from '../../src/config/home.js';
import { bpdbm } from '../../src/protocol/bpdbm.js';
import { bpjobd } from '../../src/protocol/bpjobd.js';
import { JOB_TYPE, type ImageRecord } from '../../src/protocol/records.js';

const isRoot = process.getuid?.() === 0;

async function lastImage(home: OpenbpHome): Promise<ImageRecord> {
  return (await callDaemon(homeAt(home.root), bpdbm.listImages, {})).images[0]!;
}

async function restoreTo(home: OpenbpHome, from: string, to: string, what: string = from): Promise<{ code: number; stderr: string }> {
  const rename = path.join(os.tmpdir(), `obp-rename-${process.pid}-${Math.random().toString(36).slice(2)}`);
  fs.writeFileSync(rename, `change ${from} to ${to}\n`);
  try {
    const r = await home.run('bprestore', ['-w', '-R', rename, what]);
    return { code: r.code, stderr: r.stderr };
  } finally {
    fs.rmSync(rename, { force: true });
  }
}

async function lastRestoreLines(home: OpenbpHome): Promise<string> {
  const jobs = (await callDaemon(homeAt(home.root), bpjobd.list, {})).jobs.filter((j) => j.jobtype === JOB_TYPE.restore);
  return jobs.sort((a, b) => a.jobid - b.jobid)[jobs.length - 1]!.tries.flatMap((t) => t.statusLines).join('\n');
}

function storedBytes(image: ImageRecord): number {
  return image.fragments.reduce((n, f) => n + fs.statSync(f.mediaId).size, 0);
}

describe('compression at rest (bpplinfo -compress 1)', () => {
  let home: OpenbpHome;
  let base: string;
  let src: string;
  let image: ImageRecord;
  const text = Buffer.from('2026-11-22 01:00:00 openbp job 42 wrote fragment 1 of image client_1700000000\n'.repeat(40000));

  beforeAll(async () => {
    home = OpenbpHome.create();
    base = fs.mkdtempSync(path.join(os.tmpdir(), 'obpz-'));
    src = path.join(base, 'tree');
    fs.mkdirSync(src);
    await makeFidelityTree(src);
    fs.writeFileSync(path.join(src, 'compressible.log'), text);
    fs.writeFileSync(path.join(src, 'random.bin'), crypto.randomBytes(300 * 1024));
    await home.ok('bpplinfo', ['openbp-default', '-modify', '-compress', '1']);
    await home.ok('bpbackup', ['-w', src]);
    image = await lastImage(home);
  });

  afterAll(async () => {
    await home.destroy();
    fs.rmSync(base, { recursive: true, force: true });
  });

  it('lists the image as compressed and stores less than the compressible file alone', async () => {
    expect(image.compression).toBe(1);
    const l = await home.ok('bpimagelist', ['-l', '-backupid', image.backupid]);
    const fields = l.stdout.split('\n').find((s) => s.startsWith('IMAGE '))!.split(' ');
    expect(fields[16]).toBe('1'); // compression
    expect(fields[17]).toBe('0'); // encryption
    const u = await home.ok('bpimagelist', ['-U', '-backupid', image.backupid]);
    expect(u.stdout.split('\n')[2]).toMatch(/ +\d+ +\d+  Y  User Backup/);
    // The stream (image KB) is what the client sent; storage holds less by most of the compressible file.
    expect(storedBytes(image)).toBeLessThan(image.kbytes * 1024 - text.length / 2);
  });

  it('restores the whole tree identical, and one file alone (a range of the stream)', async () => {
    const dst = path.join(base, 'out', 'tree');
    expect((await restoreTo(home, src, dst)).code).toBe(0);
    expect(await compareTrees(src, dst, { owners: isRoot, xattrs: false })).toEqual([]);
    const one = path.join(base, 'one');
    expect((await restoreTo(home, src, one, path.join(src, 'compressible.log'))).code).toBe(0);
    expect(fs.readFileSync(path.join(one, 'compressible.log')).equals(text)).toBe(true);
    expect(fs.readdirSync(one)).toEqual(['compressible.log']);
  });

  it('verifies 0', async () => {
    expect((await home.run('bpverify', ['-backupid', image.backupid, '-w'])).code).toBe(0);
  });

  it('a compressible file backed up alone takes a small part of its size in storage', async () => {
    await new Promise((r) => setTimeout(r, 1100)); // backup ids are whole seconds
    await home.ok('bpbackup', ['-w', path.join(src, 'compressible.log')]);
    const alone = await lastImage(home);
    expect(storedBytes(alone)).toBeLessThan(text.length / 10);
  });
});

describe('encryption at rest (bpplinfo -encrypt 1, bpkeyutil)', () => {
  let home: OpenbpHome;
  let base: string;
  let src: string;
  let image: ImageRecord;
  let tag: string;
  const marker = Buffer.from('OPENBP-PLAINTEXT-MARKER-7f3a');
  const secret = Buffer.concat(Array.from({ length: 5000 }, () => marker));

  beforeAll(async () => {
    home = OpenbpHome.create();
    base = fs.mkdtempSync(path.join(os.tmpdir(), 'obpenc-'));
    src = path.join(base, 'data');
    fs.mkdirSync(src);
    fs.writeFileSync(path.join(src, 'secret.txt'), secret);
    fs.writeFileSync(path.join(src, 'random.bin'), crypto.randomBytes(700 * 1024));
    await home.ok('bpplinfo', ['openbp-default', '-modify', '-encrypt', '1', '-compress', '1']);
  });

  afterAll(async () => {
    await home.destroy();
    fs.rmSync(base, { recursive: true, force: true });
  });

  it('refuses to back up without an active key (83, one line)', async () => {
    expect((await home.ok('bppllist', ['openbp-default', '-U'])).stdout).toContain('  Client Encrypt:      yes\n');
    const r = await home.run('bpbackup', ['-w', src]);
    expect(r.code).toBe(83);
    expect((await lastImage(home).catch(() => undefined))?.backupid).toBeUndefined();
  });

  it('bpkeyutil creates and lists a key in a 0600 key file', async () => {
    const c = await home.ok('bpkeyutil', ['-create', '-keyname', 'nightly']);
    tag = /created key ([0-9a-f]{16})/.exec(c.stdout)![1]!;
    const list = await home.ok('bpkeyutil', ['-list']);
    expect(list.stdout).toMatch(new RegExp(`^${tag} +active +\\d\\d/\\d\\d/\\d{4} \\d\\d:\\d\\d:\\d\\d +nightly$`, 'm'));
    expect(fs.statSync(home.path('keys', 'keyfile')).mode & 0o777).toBe(0o600);
    expect((await home.run('bpkeyutil', ['-delete', '-keytag', 'nothex'])).code).toBe(20);
    expect((await home.run('bpkeyutil', ['-delete', '-keytag', '0000000000000000'])).code).toBe(227);
  });

  it('backs up encrypted: the key tag is in the image, no plaintext in storage; restores identical', async () => {
    await home.ok('bpbackup', ['-w', src]);
    image = await lastImage(home);
    expect(image.encryption).toBe(1);
    expect(image.fragments.every((f) => f.keyTag === tag)).toBe(true);
    for (const f of image.fragments) expect(fs.readFileSync(f.mediaId).includes(marker)).toBe(false);
    const dst = path.join(base, 'out1');
    expect((await restoreTo(home, src, dst)).code).toBe(0);
    expect(fs.readFileSync(path.join(dst, 'secret.txt')).equals(secret)).toBe(true);
    expect(fs.readFileSync(path.join(dst, 'random.bin')).equals(fs.readFileSync(path.join(src, 'random.bin')))).toBe(true);
    expect((await home.run('bpverify', ['-backupid', image.backupid, '-w'])).code).toBe(0);
  });

  it('a tampered block fails verify and restore with 85, and nothing of the file is written', async () => {
    const file = image.fragments[0]!.mediaId;
    const original = fs.readFileSync(file);
    const bad = Buffer.from(original);
    bad[200]! ^= 0x01; // inside the first block's payload: secret.txt's data
    fs.writeFileSync(file, bad);
    try {
      expect((await home.run('bpverify', ['-backupid', image.backupid, '-w'])).code).toBe(85);
      const dst = path.join(base, 'out2');
      expect((await restoreTo(home, src, dst)).code).toBe(85);
      expect(fs.existsSync(path.join(dst, 'secret.txt'))).toBe(false);
    } finally {
      fs.writeFileSync(file, original);
    }
  });

  it('a key replaced under its tag fails authentication (85); a removed key is named in the error (85)', async () => {
    const keyfile = home.path('keys', 'keyfile');
    const good = fs.readFileSync(keyfile, 'utf8');
    fs.writeFileSync(keyfile, good.replace(/ [A-Za-z0-9+/=]{44}\n/, ` ${crypto.randomBytes(32).toString('base64')}\n`));
    const dst = path.join(base, 'out3');
    expect((await restoreTo(home, src, dst)).code).toBe(85);
    expect(await lastRestoreLines(home)).toMatch(/fails AES-256-GCM authentication \(tampered data or wrong key/);
    expect(fs.existsSync(path.join(dst, 'secret.txt'))).toBe(false);
    fs.writeFileSync(keyfile, good);
    await home.ok('bpkeyutil', ['-delete', '-keytag', tag]);
    const r = await restoreTo(home, src, path.join(base, 'out4'));
    expect(r.code).toBe(85);
    expect(await lastRestoreLines(home)).toContain(`encryption key ${tag} is not in the key file`);
    expect(fs.existsSync(path.join(base, 'out4', 'secret.txt'))).toBe(false);
  });
});
