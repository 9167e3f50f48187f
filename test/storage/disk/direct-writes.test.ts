// The disk writer with directIo: page-aligned runs go O_DIRECT, everything else through the page cache, and the
// fragments hold exactly the bytes given, whichever way each part went (also where the file system refuses).

import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import crypto from 'node:crypto';
import { spawnSync } from 'node:child_process';
import { DiskImageWriter } from '../../../src/storage/disk/image-writer.js';
import { openDirect } from '../../../src/storage/disk/aligned-writes.js';
import { sys } from '../../../src/native/sys.js';

const KiB = 1024;
const SLOT = 256 * KiB;
const req = { backupid: 'client1_1700000000', copy: 1, blockSize: SLOT, expiration: 1900000000, retentionLevel: 3, mediaDate: 1700000100, fragmentChecksum: false, directIo: true };

let dir: string;
let mappings: ArrayBuffer[] = [];
beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'openbp-direct-'));
});
afterEach(() => {
  for (const m of mappings) sys().munmap(m);
  mappings = [];
  fs.rmSync(dir, { recursive: true, force: true });
});

/** `data` copied into a shared mapping (page-aligned, as bptm's ring is), cut into SLOT-sized blocks. */
function slotsOf(data: Buffer): Buffer[] {
  const file = path.join(dir, `ring-${mappings.length}`);
  const fd = fs.openSync(file, 'w+');
  const length = Math.ceil(data.length / SLOT) * SLOT;
  fs.ftruncateSync(fd, length);
  const map = sys().mmapShared(fd, length);
  fs.closeSync(fd);
  mappings.push(map);
  const mem = Buffer.from(map);
  data.copy(mem);
  const blocks: Buffer[] = [];
  for (let off = 0; off < data.length; off += SLOT) blocks.push(mem.subarray(off, Math.min(off + SLOT, data.length)));
  return blocks;
}

/** Writes blocks as bptm's fragment sink does (runs of up to 16 within the room), returns the fragments' bytes. */
async function writeAll(w: DiskImageWriter, blocks: Buffer[]): Promise<Buffer[]> {
  for (let i = 0; i < blocks.length; ) {
    if (w.fragmentBytes > 0 && blocks[i]!.length > w.room) await w.finishFragment();
    let j = i + 1;
    let bytes = blocks[i]!.length;
    while (j < blocks.length && j - i < 16 && bytes + blocks[j]!.length <= w.room) bytes += blocks[j++]!.length;
    await w.writeMany(blocks.slice(i, j));
    if (w.room <= 0) await w.finishFragment();
    i = j;
  }
  if (w.fragmentBytes > 0) await w.finishFragment();
  return w.fragments.map((f) => fs.readFileSync(f.mediaId));
}

function counting(open: (file: string) => number | undefined): { open: (file: string) => number | undefined; calls: () => number } {
  let calls = 0;
  return {
    open: (file) => {
      calls++;
      return open(file);
    },
    calls: () => calls,
  };
}

const place = (maxFragmentBytes: number, openDirectFn?: (file: string) => number | undefined) => ({
  dir,
  host: 'media1',
  maxFragmentBytes,
  ...(openDirectFn ? { openDirect: openDirectFn } : {}),
});

describe('disk image writer, direct I/O', () => {
  it('writes aligned runs O_DIRECT and a tail that is no page multiple buffered; the fragments are the bytes given', async () => {
    const data = crypto.randomBytes(5 * SLOT + 1000);
    const direct = counting(openDirect);
    const w = new DiskImageWriter(place(2 * SLOT, direct.open), req);
    const frags = await writeAll(w, slotsOf(data));
    expect(frags.map((f) => f.length)).toEqual([2 * SLOT, 2 * SLOT, SLOT + 1000]);
    expect(Buffer.concat(frags).equals(data)).toBe(true);
    // One O_DIRECT descriptor per fragment (the last one's 1000-byte tail went buffered after its aligned slot).
    expect(direct.calls()).toBe(3);
    expect(fs.readdirSync(dir).filter((n) => n.endsWith('.part'))).toEqual([]);
  });

  it('a fragment GNU tar wrote is read back by GNU tar after going through the writer', async () => {
    const src = path.join(dir, 'src');
    fs.mkdirSync(src);
    const file = crypto.randomBytes(3 * SLOT + 77);
    fs.writeFileSync(path.join(src, 'odd'), file);
    const tar = spawnSync('tar', ['-cf', '-', '-C', src, 'odd'], { maxBuffer: 64 * 1024 * 1024 });
    expect(tar.status).toBe(0);
    expect(tar.stdout.length % 4096).not.toBe(0);
    const w = new DiskImageWriter(place(64 * SLOT), req);
    const [frag] = await writeAll(w, slotsOf(tar.stdout));
    expect(frag!.equals(tar.stdout)).toBe(true);
    const out = spawnSync('tar', ['-xOf', w.fragments[0]!.mediaId, 'odd'], { maxBuffer: 64 * 1024 * 1024 });
    expect(out.status).toBe(0);
    expect(out.stdout.equals(file)).toBe(true);
  });

  it('writes everything through the page cache when the file system refuses O_DIRECT, and asks only once', async () => {
    const data = crypto.randomBytes(7 * SLOT + 4096 + 3);
    const refused = counting(() => undefined);
    const w = new DiskImageWriter(place(3 * SLOT, refused.open), req);
    const frags = await writeAll(w, slotsOf(data));
    expect(Buffer.concat(frags).equals(data)).toBe(true);
    expect(refused.calls()).toBe(1);
  });

  it('takes blocks that are not page-aligned in memory or length, and the aligned ones after them, intact', async () => {
    const [a, b] = slotsOf(crypto.randomBytes(2 * SLOT));
    const odd = Buffer.alloc(1000 + 1).subarray(1).fill(7); // unaligned address and length
    const direct = counting(openDirect);
    const w = new DiskImageWriter(place(Number.POSITIVE_INFINITY, direct.open), req);
    await w.writeMany([a!, odd, b!]);
    await w.writeMany([a!]); // the fragment's offset is no longer aligned: buffered too
    await w.write(b!);
    await w.finishFragment();
    expect(fs.readFileSync(w.fragments[0]!.mediaId).equals(Buffer.concat([a!, odd, b!, a!, b!]))).toBe(true);
    expect(direct.calls()).toBe(1);
  });

  it('writes to a tmpfs unit too (O_DIRECT or not, as the kernel allows)', async () => {
    if (!fs.existsSync('/dev/shm')) return void console.warn('skipped: no /dev/shm');
    const shmDir = fs.mkdtempSync('/dev/shm/openbp-direct-');
    try {
      const data = crypto.randomBytes(4 * SLOT + 513);
      const w = new DiskImageWriter({ dir: shmDir, host: 'media1', maxFragmentBytes: 3 * SLOT }, req);
      const frags = await writeAll(w, slotsOf(data));
      expect(Buffer.concat(frags).equals(data)).toBe(true);
    } finally {
      fs.rmSync(shmDir, { recursive: true, force: true });
    }
  });

  it('abort removes a fragment that has both descriptors open', async () => {
    const w = new DiskImageWriter(place(Number.POSITIVE_INFINITY), req);
    await w.writeMany(slotsOf(crypto.randomBytes(2 * SLOT)));
    await w.abort();
    expect(fs.readdirSync(dir).filter((n) => n.includes('client1'))).toEqual([]);
  });
  it('startMany leaves each aligned run writing until the next call, and the fragments still hold the bytes given', async () => {
    const data = crypto.randomBytes(9 * SLOT + 4096 + 11);
    const blocks = slotsOf(data);
    const w = new DiskImageWriter(place(4 * SLOT), req);
    for (let i = 0; i < blocks.length; ) {
      if (w.fragmentBytes > 0 && blocks[i]!.length > w.room) await w.finishFragment();
      let j = i + 1;
      let bytes = blocks[i]!.length;
      while (j < blocks.length && j - i < 3 && bytes + blocks[j]!.length <= w.room) bytes += blocks[j++]!.length;
      await w.startMany(blocks.slice(i, j));
      // room and fragmentBytes count the run at once, before its write is done
      expect(w.fragmentBytes).toBeGreaterThanOrEqual(bytes);
      if (w.room <= 0) await w.finishFragment();
      i = j;
    }
    if (w.fragmentBytes > 0) await w.finishFragment();
    expect(w.fragments.map((f) => f.bytes)).toEqual([4 * SLOT, 4 * SLOT, SLOT + 4096 + 11]);
    expect(Buffer.concat(w.fragments.map((f) => fs.readFileSync(f.mediaId))).equals(data)).toBe(true);
  });

  it('abort while a startMany write is still running waits for it and leaves nothing', async () => {
    const w = new DiskImageWriter(place(Number.POSITIVE_INFINITY), req);
    await w.startMany(slotsOf(crypto.randomBytes(16 * SLOT)));
    await w.abort();
    expect(fs.readdirSync(dir).filter((n) => n.includes('client1'))).toEqual([]);
    await expect(w.startMany(slotsOf(crypto.randomBytes(SLOT)))).rejects.toMatchObject({ status: 84 });
  });
});
