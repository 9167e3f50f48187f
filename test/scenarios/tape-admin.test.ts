// Tape administration with the real binaries: an image written to a cartridge in NetBackup's layout is seen by
// bpmedialist -mcontents, imported back into the catalogue after it was expired (bpimport phases 1 and 2), listed
// by bplist as the original; bplabel refuses unexpired media (168) and relabels; expiring the last image gives the
// volume back to the scratch pool; and the README's disaster-recovery commands list and extract it with GNU tar.

import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { OpenbpHome, REPO_ROOT } from '../helpers/openbp-home.js';
import { callDaemon } from '../../src/cli/daemon-call.js';
import { homeAt, type Home } from '../../src/config/home.js';
import { bpdbm } from '../../src/protocol/bpdbm.js';
import { nbemm } from '../../src/protocol/nbemm.js';
import { bpjobd } from '../../src/protocol/bpjobd.js';
import { SCHED_TYPES, type FileRecord, type ImageRecord } from '../../src/protocol/records.js';
import { TapeImageReader } from '../../src/storage/tape/tape-reader.js';
import { DiskImageReader } from '../../src/storage/disk/image-reader.js';
import { VirtualLibrary } from '../../src/storage/tape/library.js';
import { mountForWrite, positionForAppend, TapeImageWriter } from '../../src/storage/tape/tape-writer.js';

const BLOCK = 16 * 1024;
const FRAGMENT = 64 * 1024;

/** The image's whole data stream, read from its disk fragments. */
async function diskStream(image: ImageRecord): Promise<Buffer> {
  const reader = new DiskImageReader(image.fragments, { start: 0, end: -1 });
  const parts: Buffer[] = [];
  const buf = Buffer.alloc(BLOCK);
  for (;;) {
    const n = await reader.read(buf, 0, BLOCK);
    if (n === 0) break;
    parts.push(Buffer.from(buf.subarray(0, n)));
  }
  await reader.close();
  return Buffer.concat(parts);
}

/** Every .f record of a catalogued image, in order. */
async function catalogueFiles(h: Home, backupid: string): Promise<FileRecord[]> {
  const out: FileRecord[] = [];
  for (let start: number | undefined = 0; start !== undefined; ) {
    const page: { files: FileRecord[]; next?: number } = await callDaemon(h, bpdbm.imageFiles, { backupid, start, count: 1000 });
    out.push(...page.files);
    start = page.next;
  }
  return out;
}

/** Writes `stream` onto cartridge `mediaId` (slot `slot`) as image `image`, in fragments of FRAGMENT bytes. */
async function copyToTape(libDir: string, slot: number, mediaId: string, image: ImageRecord, stream: Buffer): Promise<number> {
  const lib = await VirtualLibrary.open(libDir);
  await lib.changer().load(slot, 0);
  const h = await lib.drive(0).open({ rewindOnClose: false, write: true });
  try {
    await mountForWrite(h, mediaId, { pool: 'NetBackup', retentionLevel: image.retentionLevel, densityCode: 0x58, host: 'media1' });
    const fileNumber = await positionForAppend(h, mediaId);
    const w = new TapeImageWriter(
      { handle: h, mediaId, fileNumber, densityCode: 0x58, host: 'media1', maxFragmentBytes: FRAGMENT },
      {
        backupid: image.backupid, copy: 1, blockSize: BLOCK, expiration: image.expiration, retentionLevel: image.retentionLevel,
        image: { client: image.client, policy: image.policy, policyType: image.policyType, schedLabel: image.schedLabel, schedType: SCHED_TYPES[image.schedType].code },
      },
    );
    for (let at = 0; at < stream.length; at += BLOCK) {
      const block = stream.subarray(at, at + BLOCK);
      if (block.length > w.room) await w.finishFragment();
      await w.write(block);
    }
    await w.finishFragment();
    await w.finishImage();
    return w.fragments.length;
  } finally {
    await h.close();
    await lib.changer().unload(0, slot);
  }
}

describe('tape administration', () => {
  let home: OpenbpHome;
  let h: Home;
  let lib: string;
  let work: string;
  let data: string;
  let image: ImageRecord;
  let listing: string;
  let fragments: number;
  let stream: Buffer;
  let files: FileRecord[];

  const images = async () => (await callDaemon(h, bpdbm.listImages, {})).images;
  const volume = async (id: string) => (await callDaemon(h, nbemm.listVolumes, { mediaId: id })).volumes[0]!;

  beforeAll(async () => {
    home = OpenbpHome.create();
    h = homeAt(home.root);
    lib = home.path('vtl');
    work = fs.mkdtempSync(path.join(os.tmpdir(), 'obptape-'));
    data = path.join(work, 'data');
    fs.mkdirSync(path.join(data, 'sub'), { recursive: true });
    fs.writeFileSync(path.join(data, 'a.txt'), 'hello tape\n');
    fs.writeFileSync(path.join(data, 'sub', 'big.bin'), Buffer.from(Array.from({ length: 200_000 }, (_, i) => (i * 7919) & 0xff)));
    fs.symlinkSync('a.txt', path.join(data, 'link'));
    await home.ok('vtladm', ['create', lib, '--slots', '4', '--drives', '1', '--barcodes', 'A00001L5-A00003L5', '--capacity', '64M']);
    await home.ok('tpconfig', ['-add', '-robot', '0', '-robtype', 'TLD', '-robpath', lib]);
    await home.ok('tpconfig', ['-add', '-drive', '-type', 'hcart3', '-path', `${lib}/drive0`, '-robot', '0', '-robtype', 'TLD', '-robdrnum', '0']);
    await home.ok('vmupdate', ['-rt', 'TLD', '-rn', '0']);
    await home.ok('bpbackup', ['-w', data]);
    image = (await images())[0]!;
    listing = (await home.ok('bplist', ['-C', image.client, '-R', '-l', data])).stdout;
    // Assigned from the scratch pool to NetBackup, as allocation does: expiring its last image gives it back.
    await home.ok('vmchange', ['-pn', 'NetBackup', '-m', 'A00001']);
    stream = await diskStream(image);
    files = await catalogueFiles(h, image.backupid);
    fragments = await copyToTape(lib, 1, 'A00001', image, stream);
    // A cartridge whose only image is cut short (the rest would be on a cartridge never read).
    await copyToTape(lib, 3, 'A00003', { ...image, backupid: `${image.client}_1700000000` }, stream.subarray(0, 3 * BLOCK));
  });

  afterAll(async () => {
    await home.destroy();
    fs.rmSync(work, { recursive: true, force: true });
  });

  it('writes the image as several fragments and bpmedialist -mcontents / -mheader read them from the cartridge', async () => {
    expect(fragments).toBeGreaterThan(2);
    const c = await home.ok('bpmedialist', ['-mcontents', '-m', 'A00001']);
    expect(c.stdout).toMatch(/^media id = A00001, allocated \d\d\/\d\d\/\d{4} \d\d:\d\d, retention level = \d+\n\n/);
    expect(c.stdout).toContain(`File number 1\n  Backup id = ${image.backupid}\n  Creation date = `);
    expect(c.stdout).toContain(`File number ${fragments}\n  Backup id = ${image.backupid}`);
    expect(c.stdout).toContain(`  Fragment number = ${fragments}\n  Block size (in bytes) = ${BLOCK}`);
    expect((await home.ok('bpmedialist', ['-mheader', '-m', 'A00001'])).stdout).toMatch(/^media id = A00001, allocated .*, retention level = \d+$/);
    // A blank cartridge has no media header (172); the robot put A00001 back in its slot.
    expect((await home.run('bpmedialist', ['-mcontents', '-m', 'A00002'])).code).toBe(172);
    expect((await home.ok('vtladm', ['status', lib])).stdout).toContain('Storage Element 1:Full :VolumeTag=A00001L5');
  });

  it('the README disaster-recovery commands list and extract the image with GNU tar alone', async () => {
    const readme = fs.readFileSync(path.join(REPO_ROOT, 'README.md'), 'utf8');
    const section = readme.slice(readme.indexOf('## Disaster recovery without openbp'));
    const script = /```sh\n([\s\S]*?)```/.exec(section)![1]!;
    const out = path.join(work, 'dr');
    const run = script
      .replace(/^LIB=\S+/m, `LIB=${lib}`)
      .replace(/^OUT=\S+/m, `OUT=${out}`);
    expect(run).toContain('vtladm cat "$LIB" "$CART" --file "$f" --skip-records 1; done | tar -tvf -');
    const r = execFileSync('bash', ['-euo', 'pipefail', '-c', run], { env: home.env, encoding: 'utf8' });
    const rel = data.replace(/^\//, '');
    for (const name of ['a.txt', 'sub/big.bin', 'link -> a.txt']) expect(r).toContain(`${rel}/${name}`);
    expect(fs.readFileSync(path.join(out, rel, 'sub', 'big.bin'))).toEqual(fs.readFileSync(path.join(data, 'sub', 'big.bin')));
    expect(fs.readlinkSync(path.join(out, rel, 'link'))).toBe('a.txt');
    // A lone cartridge file, copied out of the library.
    const lone = path.join(work, 'A00001L5.tap');
    fs.copyFileSync(path.join(lib, 'cartridges', 'A00001L5.tap'), lone);
    // (its first fragment alone: tar lists the entries in it, then complains about the cut)
    const first = execFileSync('bash', ['-c', `vtladm cat ${lone} --file 1 --skip-records 1 | tar -tf - 2>/dev/null; exit 0`], { env: home.env, encoding: 'utf8' });
    expect(first.split('\n')).toEqual(expect.arrayContaining([`${rel}/`, `${rel}/a.txt`]));
  });

  it('bplabel refuses a cartridge with unexpired images (168) and unknown media (95)', async () => {
    const r = await home.run('bplabel', ['-m', 'A00001', '-d', 'hcart3']);
    expect(r.code).toBe(168);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect((await home.run('bplabel', ['-m', 'Z00009', '-d', 'hcart3'])).code).toBe(95);
    expect((await home.run('bplabel', ['-m', 'A00001', '-d', 'dlt'])).code).toBe(20);
    expect((await home.ok('bpmedialist', ['-mcontents', '-m', 'A00001'])).stdout).toContain('File number 1\n');
  });

  it('imports the image back after it left the catalogue: bplist shows the same files', async () => {
    await home.ok('bpexpdate', ['-backupid', image.backupid, '-d', '0', '-force']);
    expect((await images()).map((i) => i.backupid)).not.toContain(image.backupid);
    expect((await home.run('bpimport', ['-backupid', image.backupid])).code).toBe(190);
    const p1 = await home.ok('bpimport', ['-create_db_info', '-id', 'A00001']);
    expect(p1.stdout).toContain(`${image.backupid}: ready to import`);
    const preview = await home.ok('bpimport', ['-p', '-id', 'A00001']);
    expect(preview.stdout).toMatch(new RegExp(`${image.policy} +${image.schedLabel} +${image.backupid} +\\S+ +A00001$`, 'm'));
    expect((await images()).map((i) => i.backupid)).not.toContain(image.backupid);
    const p2 = await home.ok('bpimport', ['-backupid', image.backupid]);
    expect(p2.stdout).toContain(`Imported ${image.backupid}: `);
    const imported = (await images()).find((i) => i.backupid === image.backupid)!;
    const job = (await callDaemon(h, bpjobd.get, { jobid: imported.jobid }))!;
    expect(job).toMatchObject({ jobtype: 5, state: 3, status: 0, backupid: image.backupid, fileList: ['A00001'] });
    expect(imported).toMatchObject({ client: image.client, policy: image.policy, schedLabel: image.schedLabel, schedType: image.schedType, numFiles: image.numFiles });
    expect(imported.fragments.map((f) => [f.mediaId, f.fileNumber])).toEqual(Array.from({ length: fragments }, (_, i) => ['A00001', i + 1]));
    expect((await home.ok('bplist', ['-C', image.client, '-R', '-l', data])).stdout).toBe(listing);
    // The rebuilt .f has the original's entries at the same stream offsets (what a restore positions with).
    const key = (f: FileRecord) => [f.path, f.type, f.mode, f.user, f.group, f.size, f.mtimeNs, f.offset, f.link];
    expect((await catalogueFiles(h, image.backupid)).filter((f) => f.inImage !== 0).map(key)).toEqual(files.filter((f) => f.inImage !== 0).map(key));
    // The fragment records lead a tape reader to the same bytes (checksums checked fragment by fragment).
    const libObj = await VirtualLibrary.open(lib);
    await libObj.changer().load(1, 0);
    const th = await libObj.drive(0).open({ rewindOnClose: false, write: false });
    try {
      const reader = new TapeImageReader(imported.fragments, { start: 0, end: -1 }, async () => th);
      const parts: Buffer[] = [];
      const buf = Buffer.alloc(BLOCK);
      for (let n = await reader.read(buf, 0, BLOCK); n > 0; n = await reader.read(buf, 0, BLOCK)) parts.push(Buffer.from(buf.subarray(0, n)));
      expect(Buffer.concat(parts).equals(stream)).toBe(true);
    } finally {
      await th.close();
      await libObj.changer().unload(0, 1);
    }
    expect((await volume('A00001')).status & 0x40).toBe(0x40); // IMPORTED
    // Phase 1 again: the image is in the catalogue now.
    expect((await home.ok('bpimport', ['-create_db_info', '-id', 'A00001'])).stdout).toContain(`${image.backupid}: already in the catalogue`);
  });

  it('an image whose stream ends before its tar archive does is not imported (176); its candidate stays', async () => {
    const cut = `${image.client}_1700000000`;
    expect((await home.ok('bpimport', ['-create_db_info', '-id', 'A00003'])).stdout).toContain(`${cut}: ready to import`);
    const r = await home.run('bpimport', ['-id', 'A00003']);
    expect(r.code).toBe(176);
    expect(r.stderr).toContain(`${cut}: import failed: `);
    const { jobs } = await callDaemon(h, bpjobd.list, {});
    expect(jobs.filter((j) => j.jobtype === 5).map((j) => j.status)).toEqual(expect.arrayContaining([0, 176]));
    expect((await images()).map((i) => i.backupid)).not.toContain(cut);
    expect((await callDaemon(h, bpdbm.listImages, { includeIncomplete: true })).images.map((i) => i.backupid)).not.toContain(cut);
    expect((await home.ok('bpimport', ['-pb', '-id', 'A00003'])).stdout).toContain('Media ID A00003 on server ');
  });

  it('expiring the last image on the volume gives it back to the scratch pool; bplabel then relabels it', async () => {
    expect((await volume('A00001')).images).toBe(1);
    await home.ok('bpexpdate', ['-backupid', image.backupid, '-d', '0', '-force']);
    const v = await volume('A00001');
    expect(v).toMatchObject({ images: 0, validImages: 0, kbytes: 0, assigned: 0, status: 0 });
    expect((await callDaemon(h, nbemm.listPools, {})).pools.find((p) => p.number === v.pool)!.name).toBe('Scratch');
    // The BHs on the tape still carry a future expiration: relabelling needs -o.
    expect((await home.run('bplabel', ['-m', 'A00001', '-d', 'hcart3'])).code).toBe(168);
    await home.ok('bplabel', ['-m', 'A00001', '-d', 'hcart3', '-o', '-p', 'NetBackup']);
    expect((await home.ok('bpmedialist', ['-mcontents', '-m', 'A00001'])).stdout).toMatch(/^media id = A00001, .*retention level = 0\n?$/);
    expect((await volume('A00001')).pool).toBe(1);
    expect((await home.run('bplabel', ['-m', 'A00002', '-d', 'hcart3', '-u', '7'])).code).toBe(20);
    await home.ok('bplabel', ['-m', 'A00002', '-d', 'hcart3', '-u', '0']);
    expect((await home.ok('bpmedialist', ['-mheader', '-m', 'A00002'])).stdout).toMatch(/^media id = A00002, /);
  });

  it('bpexpdate -m expires every image on a volume; a FROZEN volume stays assigned and frozen', async () => {
    await home.ok('bpimport', ['-create_db_info', '-id', 'A00003']);
    await home.ok('bpbackup', ['-w', data]);
    const second = (await images())[0]!;
    await home.ok('vmchange', ['-pn', 'NetBackup', '-m', 'A00003']);
    await copyToTape(lib, 3, 'A00003', second, await diskStream(second));
    await home.ok('bpexpdate', ['-backupid', second.backupid, '-d', '0', '-force']);
    await home.ok('bpimport', ['-create_db_info', '-id', 'A00003']);
    await home.ok('bpimport', ['-backupid', second.backupid]);
    await home.ok('bpmedia', ['-freeze', '-m', 'A00003']);
    expect((await home.ok('bpmedialist', ['-mlist', '-U', '-m', 'A00003'])).stdout).toMatch(/^A00003 .*\n +1 +\S+ \S+ +N\/A +FROZEN IMPORTED$/m);
    await home.ok('bpexpdate', ['-m', 'A00003', '-d', '0', '-force']);
    expect((await images()).map((i) => i.backupid)).not.toContain(second.backupid);
    expect(await volume('A00003')).toMatchObject({ pool: 1, images: 1, status: 0x41 });
    await home.ok('bpmedia', ['-unfreeze', '-m', 'A00003']);
    await home.ok('bpexpdate', ['-m', 'A00003', '-d', '0', '-force']);
    expect(await volume('A00003')).toMatchObject({ pool: 2, images: 0, status: 0, assigned: 0 });
  });
});
