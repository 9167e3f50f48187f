import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import crypto from 'node:crypto';
import type { FragmentRecord, StorageUnit } from '../../../src/protocol/records.js';
import { openDiskDriver } from '../../../src/storage/disk/disk-driver.js';
import type { ImageWriter } from '../../../src/storage/driver.js';
import { FragmentSink } from '../../../src/media/bptm/fragment-sink.js';
import { BlockWriter } from '../../../src/media/bptm/block-writer.js';
import { blockChecksum, type BlockForm } from '../../../src/formats/block-frame.js';
import { drainImage } from '../../helpers/image-reading.js';

const BLOCK = 64 * 1024;

function unit(dir: string): StorageUnit {
  return { label: 'disk1', type: 'disk', path: dir, host: 'media1', concurrentJobs: 1, maxFragmentMB: 1, highWaterMark: 98, lowWaterMark: 80, onDemandOnly: false, maxMpx: 1 };
}

interface Written {
  fragments: FragmentRecord[];
  sections: string[];
  files: Buffer[];
}

/**
 * Writes data through BlockWriter -> FragmentSink -> the disk writer in blocks of BLOCK bytes: one block a
 * call, or in runs of the given lengths (writeRun). `hideWriteMany` takes the writer's writev away.
 */
async function writeImage(dir: string, data: Buffer, runs: number[] | undefined, form: BlockForm, opts: { sums?: boolean; hideWriteMany?: boolean } = {}): Promise<Written> {
  const driver = openDiskDriver(unit(dir));
  let writer: ImageWriter = await driver.openImageWriter({ backupid: 'client1_1700000000', copy: 1, blockSize: BLOCK + (form.compress ? 64 : 0), expiration: 1900000000, retentionLevel: 3, mediaDate: 1700000100, fragmentChecksum: false });
  if (opts.hideWriteMany) {
    const inner = writer;
    writer = {
      get fragmentBytes() { return inner.fragmentBytes; },
      get room() { return inner.room; },
      get fragments() { return inner.fragments; },
      write: (b) => inner.write(b),
      finishFragment: () => inner.finishFragment(),
      abort: () => inner.abort(),
    };
  }
  const sections: string[] = [];
  let blocks: BlockWriter | undefined = undefined;
  const sink = new FragmentSink(writer, (f) => sections.push(blocks!.sectionFor(f).toString('base64')));
  blocks = new BlockWriter(sink, form, 'client1_1700000000', 1);
  const all: Buffer[] = [];
  for (let off = 0; off < data.length; off += BLOCK) all.push(data.subarray(off, Math.min(off + BLOCK, data.length)));
  const sum = (b: Buffer) => (opts.sums ? { checksum: blockChecksum(b, 'blake3'), sum: 'blake3' as const } : undefined);
  if (!runs) for (const b of all) await blocks.write(b, sum(b));
  else {
    for (let i = 0, r = 0; i < all.length; r++) {
      const run = all.slice(i, i + runs[r % runs.length]!);
      await blocks.writeRun(run, run.map(sum));
      i += run.length;
    }
  }
  await blocks.end();
  return { fragments: [...writer.fragments], sections, files: writer.fragments.map((f) => fs.readFileSync(f.mediaId)) };
}

describe('block runs (one writev for consecutive slots)', () => {
  let dir: string;
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'openbp-runs-'));
  });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  // 1 MiB fragments hold 16 blocks: runs of 5, 16, 3, 40 blocks cross fragment ends in every position.
  const data = crypto.randomBytes(BLOCK * 53 + 1234);
  const plain: BlockForm = { compress: false };

  it('writes the same fragments, bytes and block index as one block a call', async () => {
    const one = await writeImage(path.join(dir, 'a'), data, undefined, plain);
    for (const [name, runs, opts] of [
      ['runs', [5, 16, 3, 40], {}],
      ['runs with sums from the producer', [7, 1, 16], { sums: true }],
      ['runs on a writer without writev', [9, 2], { hideWriteMany: true }],
    ] as const) {
      const got = await writeImage(path.join(dir, name.replace(/ /g, '-')), data, [...runs], plain, opts);
      expect(got.fragments.map((f) => [f.fragment, f.bytes, f.streamOffset])).toEqual(one.fragments.map((f) => [f.fragment, f.bytes, f.streamOffset]));
      expect(got.sections).toEqual(one.sections);
      expect(got.files.length).toBe(one.files.length);
      expect(got.files.every((f, i) => f.equals(one.files[i]!))).toBe(true);
    }
    expect(one.fragments.length).toBe(4);
    expect(one.fragments.every((f, i) => i === 3 || f.bytes === 16 * BLOCK)).toBe(true);
    expect(Buffer.concat(one.files).equals(data)).toBe(true);
  });

  it('framed blocks in runs read back as the stream they came from', async () => {
    const got = await writeImage(path.join(dir, 'framed'), data, [6, 11], { compress: true });
    expect(got.sections.length).toBe(got.fragments.length);
    const driver = openDiskDriver(unit(path.join(dir, 'framed')));
    const stored = await drainImage(await driver.openImageReader(got.fragments, { start: 0, end: -1 }), 100_000);
    expect(stored.length).toBe(got.fragments.reduce((n, f) => n + f.bytes, 0));
    expect(stored.subarray(0, 4).toString('latin1')).toBe('OBPK');
  });
});
