// Tape image writer and reader on the virtual library: NetBackup layout, append at the EH, direct
// positioning to a fragment, GNU tar DR from a tape file, spanning over two cartridges, header statuses.

import { spawn } from 'node:child_process';
import fs from 'node:fs/promises';
import { VirtualLibrary } from '../../../src/storage/tape/library.js';
import { dumpCartridge, type DumpEntry } from '../../../src/storage/tape/tap-tools.js';
import type { TapeHandle } from '../../../src/storage/tape/tape-device.js';
import { mountForWrite, positionForAppend, TapeImageWriter, isMediaFull, type TapeWriterPlace } from '../../../src/storage/tape/tape-writer.js';
import { TapeImageReader } from '../../../src/storage/tape/tape-reader.js';
import { decodeHeader } from '../../../src/storage/tape/backup-header.js';
import type { FragmentRecord } from '../../../src/protocol/records.js';
import type { StreamRange } from '../../../src/storage/driver.js';
import { spawnCommandModule } from '../../helpers/run-binary.js';
import { patternRecord, tempDir } from './tape-fixtures.js';
import { drainImage, settledStatus } from '../../helpers/image-reading.js';

const dirs: string[] = [];
afterAll(async () => {
  for (const d of dirs) await fs.rm(d, { recursive: true, force: true });
});

const LABEL = { pool: 'NetBackup', retentionLevel: 1, densityCode: 0x58, host: 'media1' };

async function library(capacityBytes: number, earlyWarningBytes?: number): Promise<VirtualLibrary> {
  const dir = await tempDir();
  dirs.push(dir);
  return VirtualLibrary.create(dir, { slots: 4, drives: 2, barcodes: 'A00000L5-A00001L5', capacityBytes, ...(earlyWarningBytes !== undefined ? { earlyWarningBytes } : {}) });
}

async function openDrive(lib: VirtualLibrary, slot: number, drive: number): Promise<TapeHandle> {
  await lib.changer().load(slot, drive);
  return lib.drive(drive).open({ rewindOnClose: false, write: true });
}

/** Mounts and positions for append; returns the writer's place. */
async function place(h: TapeHandle, mediaId: string, maxFragmentBytes: number): Promise<TapeWriterPlace> {
  await mountForWrite(h, mediaId, LABEL);
  const fileNumber = await positionForAppend(h, mediaId);
  return { handle: h, mediaId, fileNumber, densityCode: 0x58, host: 'media1', maxFragmentBytes };
}

function request(backupid: string, blockSize: number) {
  return { backupid, copy: 1, blockSize, expiration: 2_000_000_000, retentionLevel: 1, mediaDate: 1_700_000_000 };
}

/** Writes `data` as blocks of blockSize through the ImageWriter contract; returns the fragments. */
async function writeImage(h: TapeHandle, mediaId: string, backupid: string, data: Buffer, blockSize: number, maxFragmentBytes: number): Promise<FragmentRecord[]> {
  const w = new TapeImageWriter(await place(h, mediaId, maxFragmentBytes), request(backupid, blockSize));
  for (let at = 0; at < data.length; at += blockSize) {
    const block = data.subarray(at, at + blockSize);
    if (block.length > w.room) await w.finishFragment();
    await w.write(block);
  }
  await w.finishFragment();
  await w.finishImage();
  return [...w.fragments];
}

/** The cartridge as tokens: MH, BH, EH, d (data record), * (filemark). */
async function layout(tapPath: string): Promise<string> {
  const out: string[] = [];
  const gen = dumpCartridge(tapPath);
  for (;;) {
    const r = await gen.next();
    if (r.done) break;
    const e: DumpEntry = r.value;
    if (e.mark) out.push('*');
    else if (e.len === 1024 && e.flags.includes('ThIs Is A BP tApE hEaDer')) {
      const head = e.head.slice(0, 4);
      out.push(head === 'VOL1' ? 'MH' : head === 'BHDR' ? 'BH' : head === 'EHDR' ? 'EH' : '?');
    } else out.push('d');
  }
  return out.join(' ');
}

/** A handle wrapper that counts the records read. */
function counting(h: TapeHandle): { handle: TapeHandle; reads: () => number } {
  let n = 0;
  const handle = new Proxy(h, {
    get(target, prop, recv) {
      if (prop === 'readBlock') return async (max: number) => {
        n++;
        return target.readBlock(max);
      };
      const v = Reflect.get(target, prop, recv) as unknown;
      return typeof v === 'function' ? (v as (...a: unknown[]) => unknown).bind(target) : v;
    },
  });
  return { handle, reads: () => n };
}

const readAll = (fragments: FragmentRecord[], range: StreamRange, mount: (id: string) => Promise<TapeHandle>) =>
  drainImage(new TapeImageReader(fragments, range, mount), 3000); // deliberately not a block multiple
const statusOf = settledStatus;

describe('tape image writer and reader', () => {
  const BS = 4096;

  it('labels, writes 3 fragments + EH, appends a second image over the EH; reads one middle fragment only', async () => {
    const lib = await library(64 * 1024 * 1024);
    const h0 = await openDrive(lib, 1, 0);
    const img1 = patternRecord(8 * BS + 100, 1); // 3 + 3 + 3 (last short) blocks
    const f1 = await writeImage(h0, 'A00000', 'client_1', img1, BS, 3 * BS);
    expect(f1.map((f) => [f.fragment, f.fileNumber, f.bytes, f.streamOffset, f.mediaType, f.density, f.mediaId, f.blockSize])).toEqual([
      [1, 1, 3 * BS, 0, 2, 0x58, 'A00000', BS],
      [2, 2, 3 * BS, 3 * BS, 2, 0x58, 'A00000', BS],
      [3, 3, 2 * BS + 100, 6 * BS, 2, 0x58, 'A00000', BS],
    ]);
    await h0.close(); // the dump locks the cartridge
    expect(await layout(lib.cartridgePath('A00000L5'))).toBe('MH * BH d d d * BH d d d * BH d d d * EH *');
    let h = await lib.drive(0).open({ rewindOnClose: false, write: true });

    const img2 = patternRecord(BS, 2);
    const f2 = await writeImage(h, 'A00000', 'client_2', img2, BS, 3 * BS);
    expect(f2.map((f) => f.fileNumber)).toEqual([4]);
    await h.close();
    expect(await layout(lib.cartridgePath('A00000L5'))).toBe('MH * BH d d d * BH d d d * BH d d d * BH d * EH *');
    h = await lib.drive(0).open({ rewindOnClose: false, write: true });

    // The middle fragment alone: the BH and its 3 records are the only reads.
    const mid = f1[1]!;
    const c = counting(h);
    const got = await readAll(f1, { start: mid.streamOffset, end: mid.streamOffset + mid.bytes }, async () => c.handle);
    expect(got.equals(img1.subarray(3 * BS, 6 * BS))).toBe(true);
    expect(c.reads()).toBe(4);

    // A range inside fragment 3 skips records with fsr: BH + 1 record read.
    const c2 = counting(h);
    const part = await readAll(f1, { start: 7 * BS + 10, end: 7 * BS + 500 }, async () => c2.handle);
    expect(part.equals(img1.subarray(7 * BS + 10, 7 * BS + 500))).toBe(true);
    expect(c2.reads()).toBe(2);

    // The whole images read back, checksums checked.
    expect((await readAll(f1, { start: 0, end: -1 }, async () => h)).equals(img1)).toBe(true);
    expect((await readAll(f2, { start: 0, end: -1 }, async () => h)).equals(img2)).toBe(true);

    // A wrong checksum is 85 when the fragment is read whole.
    const bad = f1.map((f) => (f.fragment === 2 ? { ...f, checksum: '0'.repeat(64) } : f));
    expect(await statusOf(readAll(bad, { start: 0, end: -1 }, async () => h))).toBe(85);
    // A record pointing at the wrong tape file is 94.
    const moved = f1.map((f) => (f.fragment === 2 ? { ...f, fileNumber: 3 } : f));
    expect(await statusOf(readAll(moved, { start: 0, end: -1 }, async () => h))).toBe(94);
    await h.close();
  });

  it('GNU tar lists an image from vtladm cat --file N --skip-records 1', async () => {
    const { buildTar } = await import('./tar-sample.js');
    const sample = await buildTar();
    const lib = await library(64 * 1024 * 1024);
    const h = await openDrive(lib, 1, 0);
    await writeImage(h, 'A00000', 'client_0', patternRecord(5000, 9), 10240, 10240 * 100);
    const frags = await writeImage(h, 'A00000', 'client_tar', sample.tar, 10240, 10240 * 100);
    await h.close();
    expect(frags).toHaveLength(1);
    const src = spawnCommandModule('vtladm', ['cat', lib.dir, 'A00000L5', '--file', String(frags[0]!.fileNumber), '--skip-records', '1'], { stdio: ['ignore', 'pipe', 'inherit'] });
    const tar = spawn('tar', ['-t', '-f', '-'], { stdio: ['pipe', 'pipe', 'pipe'] });
    src.stdout!.pipe(tar.stdin!);
    const chunks: Buffer[] = [];
    tar.stdout!.on('data', (c: Buffer) => chunks.push(c));
    const [srcCode, tarCode] = await Promise.all([new Promise<number | null>((r) => src.on('close', r)), new Promise<number | null>((r) => tar.on('close', r))]);
    expect([srcCode, tarCode]).toEqual([0, 0]);
    expect(Buffer.concat(chunks).toString().trim().split('\n')).toEqual(sample.names);
  });

  it('spans an image over two cartridges (two filemarks, no EH) and reads it back across the span', async () => {
    const lib = await library(160 * 1024, 40 * 1024); // early warning after ~120 KiB
    let h1 = await openDrive(lib, 1, 0);
    const data = patternRecord(45 * BS + 7, 3);
    const w = new TapeImageWriter(await place(h1, 'A00000', 8 * BS), request('client_span', BS));
    let fullOn: string | undefined;
    let h2: TapeHandle | undefined;
    for (let at = 0; at < data.length; at += BS) {
      const block = data.subarray(at, at + BS);
      if (block.length > w.room) await w.finishFragment();
      try {
        await w.write(block);
      } catch (e) {
        if (!isMediaFull(e) || fullOn) throw e;
        fullOn = e.mediaId;
        h2 = await openDrive(lib, 2, 1);
        await w.continueOn(await place(h2, 'A00001', 8 * BS)); // writes the block that hit EOM first
      }
    }
    await w.finishFragment();
    await w.finishImage();
    expect(fullOn).toBe('A00000');
    const frags = [...w.fragments];
    expect(frags.reduce((s, f) => s + f.bytes, 0)).toBe(data.length);
    const onFirst = frags.filter((f) => f.mediaId === 'A00000');
    const onSecond = frags.filter((f) => f.mediaId === 'A00001');
    expect(onFirst.length).toBeGreaterThan(0);
    expect(onSecond[0]).toMatchObject({ fileNumber: 1, flags: 1, fragment: onFirst.length + 1 });
    await h1.close();
    await h2!.close();
    const l1 = await layout(lib.cartridgePath('A00000L5'));
    expect(l1).toMatch(/^MH \* BH( d)+ \*( BH( d)+ \*)* \*$/);
    expect(l1).not.toContain('EH');
    expect(await layout(lib.cartridgePath('A00001L5'))).toMatch(/^MH \* BH( d)+ \*( BH( d)+ \*)* EH \*$/);

    h1 = await lib.drive(0).open({ rewindOnClose: false, write: true });
    h2 = await lib.drive(1).open({ rewindOnClose: false, write: true });
    const handles: Record<string, TapeHandle> = { A00000: h1, A00001: h2 };
    const mount = async (id: string) => handles[id]!;
    expect((await readAll(frags, { start: 0, end: -1 }, mount)).equals(data)).toBe(true);
    const spanAt = onSecond[0]!.streamOffset;
    expect((await readAll(frags, { start: spanAt - 1000, end: spanAt + 1000 }, mount)).equals(data.subarray(spanAt - 1000, spanAt + 1000))).toBe(true);

    // A full cartridge has no EH to append at: 94.
    expect(await statusOf(positionForAppend(h1, 'A00000'))).toBe(94);
    await h1.close();
    await h2!.close();
  });

  it('wrong media ID is 93, a non-openbp first record is 172', async () => {
    const lib = await library(64 * 1024 * 1024);
    const h = await openDrive(lib, 1, 0);
    const first = await mountForWrite(h, 'A00000', LABEL);
    expect(first.labelled).toBe(true);
    expect((await mountForWrite(h, 'A00000', LABEL)).labelled).toBe(false);
    expect(await statusOf(mountForWrite(h, 'B00000', LABEL))).toBe(93);
    const h2 = await openDrive(lib, 2, 1);
    await h2.writeBlock(patternRecord(1024, 5));
    await h2.writeFilemarks(1);
    expect(await statusOf(mountForWrite(h2, 'A00001', LABEL))).toBe(172);
    await h2.rewind();
    await h2.writeBlock(patternRecord(65536, 6));
    await h2.writeFilemarks(1);
    expect(await statusOf(mountForWrite(h2, 'A00001', LABEL))).toBe(172);
    await h.close();
    await h2.close();
  });

  it('a BH on tape names the image, fragment and stream offset', async () => {
    const lib = await library(64 * 1024 * 1024);
    const h = await openDrive(lib, 1, 0);
    const f = await writeImage(h, 'A00000', 'client_bh', patternRecord(5 * BS, 4), BS, 2 * BS);
    await h.rewind();
    await h.spaceFiles(f[2]!.fileNumber);
    const d = decodeHeader(await h.readBlock(BS));
    expect(d).toMatchObject({ ok: true, kind: 'BH', header: { backupid: 'client_bh', fragment: 3, streamOffset: 4 * BS, blockSize: BS, fileNumber: 3 } });
    await h.close();
  });

  it('abort puts the EH back where the image began; the next image appends there', async () => {
    const lib = await library(64 * 1024 * 1024);
    const h = await openDrive(lib, 1, 0);
    await writeImage(h, 'A00000', 'client_ok', patternRecord(2 * BS, 7), BS, 4 * BS);
    const w = new TapeImageWriter(await place(h, 'A00000', 2 * BS), request('client_failed', BS));
    for (let i = 0; i < 3; i++) {
      if (BS > w.room) await w.finishFragment();
      await w.write(patternRecord(BS, 10 + i));
    }
    await w.abort();
    await h.close();
    expect(await layout(lib.cartridgePath('A00000L5'))).toBe('MH * BH d d * EH *');
    const h2 = await lib.drive(0).open({ rewindOnClose: false, write: true });
    expect(await positionForAppend(h2, 'A00000')).toBe(2);
    await h2.close();
  });

  it('finds the EH file number by counting files on a drive with fast EOM (file number unknown after seekEod)', async () => {
    const dir = await tempDir();
    dirs.push(dir);
    const lib = await VirtualLibrary.create(dir, { slots: 2, drives: 1, barcodes: 'A00000L5', capacityBytes: 64 * 1024 * 1024 }, { fastEod: true });
    const h = await openDrive(lib, 1, 0);
    const f1 = await writeImage(h, 'A00000', 'client_a', patternRecord(3 * BS, 1), BS, BS);
    const f2 = await writeImage(h, 'A00000', 'client_b', patternRecord(BS, 2), BS, BS);
    expect([...f1, ...f2].map((f) => f.fileNumber)).toEqual([1, 2, 3, 4]);
    expect((await readAll(f2, { start: 0, end: -1 }, async () => h)).equals(patternRecord(BS, 2))).toBe(true);
    await h.close();
  });
});
