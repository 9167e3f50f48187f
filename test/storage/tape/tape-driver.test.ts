// The tape storage driver on the virtual library: the robot mounts what nbrb assigned, a write-protected
// volume is handed back for another, an image spans volumes inside write(), each finished fragment leaves an
// EH behind it, a torn last file is stepped over, and the reader spaces straight to the fragments.

import fs from 'node:fs/promises';
import { VirtualLibrary } from '../../../src/storage/tape/library.js';
import { TapeDriver, type VolumeTrouble } from '../../../src/storage/tape/tape-driver.js';
import { positionAfterDebris } from '../../../src/storage/tape/append-recovery.js';
import { mountForWrite } from '../../../src/storage/tape/tape-writer.js';
import { dumpCartridge } from '../../../src/storage/tape/tap-tools.js';
import type { FragmentRecord, StorageUnit, TapeAssignment } from '../../../src/protocol/records.js';
import { FragmentSink } from '../../../src/media/bptm/fragment-sink.js';
import { drainImage } from '../../helpers/image-reading.js';
import { patternRecord, tempDir } from './tape-fixtures.js';

const dirs: string[] = [];
afterAll(async () => {
  for (const d of dirs) await fs.rm(d, { recursive: true, force: true });
});

const UNIT: StorageUnit = {
  label: 't', type: 'tape', path: '', host: 'media1', concurrentJobs: 1, maxFragmentMB: 1, highWaterMark: 0, lowWaterMark: 0, onDemandOnly: false, maxMpx: 1,
  density: 'hcart3', robotType: 'TLD', robotNumber: 0,
};
const REQ = { backupid: 'c_1700000000', copy: 1, blockSize: 64 * 1024, expiration: 2_000_000_000, retentionLevel: 1 };

async function library(capacityBytes: number, earlyWarningBytes: number): Promise<VirtualLibrary> {
  const dir = await tempDir();
  dirs.push(dir);
  return VirtualLibrary.create(dir, { slots: 4, drives: 1, barcodes: 'A00000L5-A00002L5', capacityBytes, earlyWarningBytes });
}

function assignment(lib: VirtualLibrary, first: string, read: string[] = []): TapeAssignment {
  return {
    robot: { number: 0, type: 'TLD', path: lib.dir, host: 'media1' },
    drive: { index: 0, name: 'HCART3.000', type: 'hcart3', path: `${lib.dir}/drive0`, robotNumber: 0, robotType: 'TLD', robotDrive: 0, status: 'UP' },
    volume: { mediaId: first, barcode: `${first}L5` },
    pool: 'NetBackup',
    readVolumes: read.map((m) => ({ mediaId: m, barcode: `${m}L5` })),
  };
}

/** nbrb's stand-in: hands out the listed volumes in order and records what it was told. */
function volumes(ids: string[]) {
  const told: [string, VolumeTrouble][] = [];
  return {
    told,
    nextVolume: async (mediaId: string, reason: VolumeTrouble) => {
      told.push([mediaId, reason]);
      const id = ids.shift();
      if (!id) throw new Error('no more volumes');
      return { mediaId: id, barcode: `${id}L5` };
    },
  };
}

async function writeThrough(driver: TapeDriver, data: Buffer): Promise<FragmentRecord[]> {
  const w = await driver.openImageWriter(REQ);
  const reported: FragmentRecord[] = [];
  const sink = new FragmentSink(w, (f) => reported.push(f));
  for (let at = 0; at < data.length; at += REQ.blockSize) await sink.write(data.subarray(at, at + REQ.blockSize));
  await sink.end();
  await driver.close();
  expect(reported).toEqual(w.fragments);
  return reported;
}

async function tokens(tap: string): Promise<string> {
  const out: string[] = [];
  for await (const e of dumpCartridge(tap)) out.push(e.mark ? '*' : e.len === 1024 ? e.head.slice(0, 4) : 'd');
  return out.join(' ').replace(/(d )+d/g, 'd+');
}

describe('TapeDriver', () => {
  it('spans an image over volumes inside write(), reports every fragment, and reads it back from all of them', async () => {
    const lib = await library(1024 * 1024, 256 * 1024);
    const v = volumes(['A00001', 'A00002']);
    const data = Buffer.concat(Array.from({ length: 30 }, (_, i) => patternRecord(64 * 1024, i)));
    const frags = await writeThrough(new TapeDriver({ unit: UNIT, assignment: assignment(lib, 'A00000'), nextVolume: v.nextVolume }), data);
    expect(v.told).toEqual([['A00000', 'full'], ['A00001', 'full']]);
    expect([...new Set(frags.map((f) => f.mediaId))]).toEqual(['A00000', 'A00001', 'A00002']);
    // Closed full: two filemarks, no EH. The last volume ends with an EH after the image.
    expect(await tokens(lib.cartridgePath('A00000L5'))).toMatch(/^VOL1 \* BHDR d\+ \* \*$/);
    expect(await tokens(lib.cartridgePath('A00002L5'))).toMatch(/^VOL1 \* BHDR d\+ \* EHDR \*$/);
    expect(lib.state.drives[0]!.barcode).toBeNull();

    const reader = new TapeDriver({ unit: UNIT, assignment: assignment(lib, 'A00000', ['A00000', 'A00001', 'A00002']), nextVolume: v.nextVolume });
    const r = await reader.openImageReader(frags, { start: 0, end: -1 });
    expect((await drainImage(r, 100_000)).equals(data)).toBe(true);
    await reader.close();
  });

  it('hands back a write-protected volume and writes on the next one', async () => {
    const lib = await library(8 * 1024 * 1024, 256 * 1024);
    await lib.setWriteProtected('A00000L5', true);
    const v = volumes(['A00001']);
    const frags = await writeThrough(new TapeDriver({ unit: UNIT, assignment: assignment(lib, 'A00000'), nextVolume: v.nextVolume }), patternRecord(200 * 1024, 7));
    expect(v.told).toEqual([['A00000', 'write-protected']]);
    expect(frags.map((f) => [f.mediaId, f.fileNumber])).toEqual([['A00001', 1]]);
    expect((await fs.stat(lib.cartridgePath('A00000L5'))).size).toBe(0);
  });

  it('writes an EH after each fragment and appends the next image at it', async () => {
    const lib = await library(8 * 1024 * 1024, 256 * 1024);
    const v = volumes([]);
    const one = await writeThrough(new TapeDriver({ unit: UNIT, assignment: assignment(lib, 'A00000'), nextVolume: v.nextVolume }), patternRecord(1536 * 1024, 1));
    const two = await writeThrough(new TapeDriver({ unit: UNIT, assignment: assignment(lib, 'A00000'), nextVolume: v.nextVolume }), patternRecord(100 * 1024, 2));
    expect(one.map((f) => f.fileNumber)).toEqual([1, 2]);
    expect(two.map((f) => f.fileNumber)).toEqual([3]);
    expect(await tokens(lib.cartridgePath('A00000L5'))).toBe('VOL1 * BHDR d+ * BHDR d+ * BHDR d+ * EHDR *');
  });

  it('steps over a torn last file (a writer that died) with a filemark and appends after it', async () => {
    const lib = await library(8 * 1024 * 1024, 256 * 1024);
    await lib.changer().load(1, 0);
    const h = await lib.drive(0).open({ rewindOnClose: false, write: true });
    await mountForWrite(h, 'A00000', { pool: 'NetBackup', retentionLevel: 1, densityCode: 0x58, host: 'media1' });
    await h.writeBlock(patternRecord(1024, 3)); // a stray record after the MH: no BH, no EH, no filemark
    expect(await positionAfterDebris(h, 'A00000')).toBe(2);
    await h.writeBlock(patternRecord(1024, 4));
    await h.writeFilemarks(2);
    expect(await positionAfterDebris(h, 'A00000')).toBe('full');
    await h.close();
  });
});
