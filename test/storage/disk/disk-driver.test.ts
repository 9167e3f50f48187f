import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import crypto from 'node:crypto';
import { execFileSync } from 'node:child_process';
import type { FragmentRecord, StorageUnit } from '../../../src/protocol/records.js';
import { openDiskDriver } from '../../../src/storage/disk/disk-driver.js';
import { deleteDiskFragments, removeImageLeftovers } from '../../../src/storage/disk/delete-fragments.js';
import { fragmentsInRange, maxFragmentBytes, type ImageReader, type ImageWriter } from '../../../src/storage/driver.js';
import { drainImage, settledStatus } from '../../helpers/image-reading.js';

const MiB = 1024 * 1024;
const BLOCK = 64 * 1024;

function unit(dir: string, maxFragmentMB: number): StorageUnit {
  return {
    label: 'disk1',
    type: 'disk',
    path: dir,
    host: 'media1',
    concurrentJobs: 1,
    maxFragmentMB,
    highWaterMark: 98,
    lowWaterMark: 80,
    onDemandOnly: false,
    maxMpx: 1,
  };
}

/** Deterministic pseudo-random bytes (xorshift32). */
function pseudoRandom(n: number, seed = 12345): Buffer {
  const b = Buffer.allocUnsafe(n);
  let x = seed >>> 0 || 1;
  for (let i = 0; i < n; i++) {
    x ^= x << 13;
    x >>>= 0;
    x ^= x >>> 17;
    x ^= x << 5;
    x >>>= 0;
    b[i] = x & 0xff;
  }
  return b;
}

/** Writes data the way bptm does: blocks of BLOCK bytes, a fragment finished when the next block does not fit. */
async function writeImage(w: ImageWriter, data: Buffer): Promise<FragmentRecord[]> {
  for (let off = 0; off < data.length; off += BLOCK) {
    const block = data.subarray(off, Math.min(off + BLOCK, data.length));
    if (w.fragmentBytes > 0 && block.length > w.room) await w.finishFragment();
    await w.write(block);
    if (w.room <= 0) await w.finishFragment();
  }
  if (w.fragmentBytes > 0) await w.finishFragment();
  return [...w.fragments];
}

const readAll = (r: ImageReader) => drainImage(r, 100_000); // deliberately not a block multiple
const statusOf = settledStatus;

const req = { backupid: 'client1_1700000000', copy: 1, blockSize: BLOCK, expiration: 1900000000, retentionLevel: 3, mediaDate: 1700000100 };

describe('disk storage driver', () => {
  let dir: string;
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'openbp-disk-'));
  });
  afterEach(() => {
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('splits the image at the max fragment size, on block boundaries, with complete records', async () => {
    const data = pseudoRandom(2 * MiB + 5 * BLOCK + 123);
    const driver = openDiskDriver(unit(path.join(dir, 'stu'), 1));
    const w = await driver.openImageWriter(req);
    const frags = await writeImage(w, data);
    expect(frags.map((f) => f.bytes)).toEqual([MiB, MiB, 5 * BLOCK + 123]);
    expect(frags.map((f) => f.streamOffset)).toEqual([0, MiB, 2 * MiB]);
    for (const f of frags) {
      expect(f.mediaId).toBe(path.join(dir, 'stu', `client1_1700000000_C1_F${f.fragment}.img`));
      const bytes = fs.readFileSync(f.mediaId);
      expect(bytes.equals(data.subarray(f.streamOffset, f.streamOffset + f.bytes))).toBe(true);
      expect(f.checksum).toBe(crypto.createHash('sha256').update(bytes).digest('hex'));
      expect(f.kbytes).toBe(Math.floor(f.bytes / 1024));
      expect(f.remainder).toBe(f.bytes % 1024);
      expect(f).toMatchObject({ copy: 1, mediaType: 0, density: 0, fileNumber: 0, host: 'media1', blockSize: BLOCK, offset: 0, mediaDate: 1700000100, expiration: 1900000000, retentionLevel: 3 });
    }
    expect(fs.readdirSync(path.join(dir, 'stu')).sort()).toEqual(frags.map((f) => path.basename(f.mediaId)).sort());
  });

  it('keeps fragments whole blocks when the max fragment size is not a block multiple', () => {
    expect(maxFragmentBytes(1, 3 * 1024 * 100)).toBe(3 * 307200);
    expect(maxFragmentBytes(0, BLOCK)).toBe(Number.POSITIVE_INFINITY);
    expect(maxFragmentBytes(1, 2 * MiB)).toBe(2 * MiB);
  });

  it('reads the whole image and any range back', async () => {
    const data = pseudoRandom(3 * MiB + 777, 99);
    const driver = openDiskDriver(unit(dir, 1));
    const frags = await writeImage(await driver.openImageWriter(req), data);
    expect((await readAll(await driver.openImageReader(frags, { start: 0, end: -1 }))).equals(data)).toBe(true);
    for (const [start, end] of [
      [0, 1],
      [MiB - 10, MiB + 10],
      [1234567, 2345678],
      [3 * MiB, 3 * MiB + 777],
      [2 * MiB + 1, -1],
    ] as const) {
      const got = await readAll(await driver.openImageReader(frags, { start, end }));
      expect(got.equals(data.subarray(start, end < 0 ? undefined : end))).toBe(true);
    }
    expect(fragmentsInRange(frags, { start: MiB + 5, end: MiB + 6 }).map((f) => f.fragment)).toEqual([2]);
  });

  it('only opens the fragments a range needs', async () => {
    const data = pseudoRandom(3 * MiB, 7);
    const driver = openDiskDriver(unit(dir, 1));
    const frags = await writeImage(await driver.openImageWriter(req), data);
    fs.unlinkSync(frags[0]!.mediaId);
    const got = await readAll(await driver.openImageReader(frags, { start: MiB, end: 2 * MiB }));
    expect(got.equals(data.subarray(MiB, 2 * MiB))).toBe(true);
    expect(await statusOf(readAll(await driver.openImageReader(frags, { start: 0, end: -1 })))).toBe(83);
  });

  it('reports 85 for a fragment whose sha256 does not match when read whole, and for a short fragment', async () => {
    const data = pseudoRandom(2 * MiB, 5);
    const driver = openDiskDriver(unit(dir, 1));
    const frags = await writeImage(await driver.openImageWriter(req), data);
    const fd = fs.openSync(frags[1]!.mediaId, 'r+');
    fs.writeSync(fd, Buffer.from([data[MiB + 500]! ^ 0xff]), 0, 1, 500);
    fs.closeSync(fd);
    expect(await statusOf(readAll(await driver.openImageReader(frags, { start: 0, end: -1 })))).toBe(85);
    // a partial read of the fragment cannot check it, and does not pretend to
    const part = await readAll(await driver.openImageReader(frags, { start: MiB + 1000, end: MiB + 2000 }));
    expect(part.equals(data.subarray(MiB + 1000, MiB + 2000))).toBe(true);
    fs.truncateSync(frags[0]!.mediaId, 1000);
    expect(await statusOf(readAll(await driver.openImageReader(frags, { start: 0, end: 10 })))).toBe(85);
    // a gap in the fragment list is a read error, not silently missing data
    expect(await statusOf(readAll(await driver.openImageReader([frags[1]!], { start: 0, end: -1 })))).toBe(85);
  });

  it('abort removes the finished fragments and the one being written', async () => {
    const driver = openDiskDriver(unit(dir, 1));
    const w = await driver.openImageWriter(req);
    await writeImage(w, pseudoRandom(2 * MiB));
    await w.write(pseudoRandom(BLOCK));
    expect(fs.readdirSync(dir).length).toBe(3);
    expect(fs.readdirSync(dir).filter((n) => n.endsWith('.part')).length).toBe(1);
    await w.abort();
    await w.abort();
    expect(fs.readdirSync(dir)).toEqual([]);
    expect(await statusOf(w.write(pseudoRandom(10)))).toBe(84);
  });

  it('an image that wrote nothing leaves nothing', async () => {
    const driver = openDiskDriver(unit(dir, 1));
    const w = await driver.openImageWriter(req);
    expect(w.fragments).toEqual([]);
    expect(fs.readdirSync(dir)).toEqual([]);
    expect(await statusOf(w.finishFragment())).toBe(84);
  });

  it('deleteFragments is idempotent and refuses paths that are not fragments', async () => {
    const driver = openDiskDriver(unit(dir, 1));
    const frags = await writeImage(await driver.openImageWriter(req), pseudoRandom(MiB + 10));
    await driver.deleteFragments(frags);
    await driver.deleteFragments(frags);
    expect(fs.readdirSync(dir)).toEqual([]);
    const victim = path.join(dir, 'precious.txt');
    fs.writeFileSync(victim, 'x');
    expect(await statusOf(deleteDiskFragments([{ ...frags[0]!, mediaId: victim }]))).toBe(11);
    expect(await statusOf(deleteDiskFragments([{ ...frags[0]!, mediaId: 'relative_C1_F1.img' }]))).toBe(11);
    expect(fs.existsSync(victim)).toBe(true);
    await deleteDiskFragments([{ ...frags[0]!, mediaType: 2, mediaId: victim }]); // tape records are not ours
    expect(fs.existsSync(victim)).toBe(true);
  });

  it('removeImageLeftovers removes complete and partial files of one image only', async () => {
    fs.writeFileSync(path.join(dir, 'c_1_C1_F1.img'), 'a');
    fs.writeFileSync(path.join(dir, 'c_1_C1_F2.img.part'), 'b');
    fs.writeFileSync(path.join(dir, 'c_1_C2_F1.img'), 'c');
    fs.writeFileSync(path.join(dir, 'c_12_C1_F1.img'), 'd');
    expect((await removeImageLeftovers(dir, 'c_1', 1)).map((p) => path.basename(p)).sort()).toEqual(['c_1_C1_F1.img', 'c_1_C1_F2.img.part']);
    expect(fs.readdirSync(dir).sort()).toEqual(['c_12_C1_F1.img', 'c_1_C2_F1.img']);
    expect(await removeImageLeftovers(dir, 'c_1')).toEqual([path.join(dir, 'c_1_C2_F1.img')]);
    expect(await removeImageLeftovers(path.join(dir, 'nope'), 'c_1')).toEqual([]);
  });

  it('refuses unusable units and hostile backup ids', async () => {
    const file = path.join(dir, 'file');
    fs.writeFileSync(file, '');
    expect(await statusOf(openDiskDriver(unit(file, 1)).openImageWriter(req))).toBe(83);
    expect(await statusOf(openDiskDriver(unit(dir, 1)).openImageWriter({ ...req, backupid: '../x' }))).toBe(20);
    expect(await statusOf(openDiskDriver(unit(dir, 1)).openImageWriter({ ...req, backupid: '.hidden' }))).toBe(20);
  });

  describe('on a full file system', () => {
    let mnt: string | undefined;
    let reason = '';
    beforeAll(() => {
      const m = fs.mkdtempSync(path.join(os.tmpdir(), 'openbp-full-'));
      try {
        execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=2m', 'tmpfs', m], { stdio: 'pipe' });
        mnt = m;
      } catch (e) {
        reason = `cannot mount a 2 MiB tmpfs (${(e as Error).message.split('\n')[0]}); ENOSPC test skipped`;
        fs.rmdirSync(m);
      }
    });
    afterAll(() => {
      if (!mnt) return;
      execFileSync('umount', [mnt]);
      fs.rmdirSync(mnt);
    });

    it('maps ENOSPC to 129 and removes everything the image wrote', async () => {
      if (!mnt) {
        console.warn(reason);
        return;
      }
      const driver = openDiskDriver(unit(mnt, 1));
      const w = await driver.openImageWriter(req);
      const status = await statusOf(writeImage(w, pseudoRandom(4 * MiB)));
      expect(status).toBe(129);
      expect(fs.readdirSync(mnt)).toEqual([]);
    });
  });
});
