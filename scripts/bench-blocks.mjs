#!/usr/bin/env node
// The block layer's cost in bptm's write and read paths, in one run: N MiB through the disk image writer
// with the fragment sink alone (as before the block layer) and with the block layer (plain: crc32 per
// block; compressed; encrypted), alternating, then read back through the disk reader alone and through
// the block reader. Usage: node scripts/bench-blocks.mjs [MiB=1024] [rounds=3] [dir=/tmp]. Needs npm run build.

import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import crypto from 'node:crypto';
import { DiskImageWriter } from '../dist/src/storage/disk/image-writer.js';
import { DiskImageReader } from '../dist/src/storage/disk/image-reader.js';
import { FragmentSink } from '../dist/src/media/bptm/fragment-sink.js';
import { BlockWriter } from '../dist/src/media/bptm/block-writer.js';
import { BlockReader } from '../dist/src/media/bptm/block-reader.js';
import { blocksOfCopy, decodeIndex } from '../dist/src/formats/block-index.js';
import { FRAME_HEADER_BYTES } from '../dist/src/formats/block-frame.js';

const MiB = Number(process.argv[2] ?? 1024);
const ROUNDS = Number(process.argv[3] ?? 3);
const base = fs.mkdtempSync(path.join(process.argv[4] ?? os.tmpdir(), 'obp-bench-blocks-'));
const BLOCK = 256 * 1024;
const blocks = (MiB * 1024 * 1024) / BLOCK;
// A mix that compresses about 2:1: half random, half text.
const random = crypto.randomBytes(BLOCK);
const text = Buffer.from('openbp bench line: the quick brown fox jumps over the lazy dog 0123456789\n'.repeat(BLOCK / 64)).subarray(0, BLOCK);
const key = { tag: '0123456789abcdef', key: crypto.randomBytes(32) };

async function write(kind) {
  const dir = fs.mkdtempSync(path.join(base, `${kind}-`));
  const framed = kind === 'compressed' || kind === 'encrypted';
  const w = new DiskImageWriter({ dir, host: 'bench', maxFragmentBytes: Number.POSITIVE_INFINITY }, {
    backupid: 'bench_1700000000', copy: 1, blockSize: BLOCK + (framed ? FRAME_HEADER_BYTES : 0), expiration: 0, retentionLevel: 0,
    fragmentChecksum: kind === 'before',
  });
  const sections = [];
  let bw;
  const frag = new FragmentSink(w, (f) => bw && sections.push(bw.sectionFor(f)));
  const form = { compress: kind === 'compressed' || kind === 'encrypted', ...(kind === 'encrypted' ? { key } : {}) };
  const sink = kind === 'before' ? frag : (bw = new BlockWriter(frag, form, 'bench_1700000000', 1));
  const t = process.hrtime.bigint();
  for (let i = 0; i < blocks; i++) await sink.write(i % 2 ? text : random);
  await (kind === 'before' ? frag.end() : bw.end());
  const s = Number(process.hrtime.bigint() - t) / 1e9;
  return { s, dir, fragments: w.fragments, index: Buffer.concat(sections) };
}

async function read(kind, written) {
  const buf = Buffer.allocUnsafe(BLOCK + FRAME_HEADER_BYTES);
  const range = { start: 0, end: -1 };
  let source;
  let reader;
  if (kind === 'before') {
    reader = new DiskImageReader(written.fragments, range);
    source = reader;
  } else {
    const idx = blocksOfCopy(decodeIndex(written.index), 1);
    const br = new BlockReader({ framed: idx.framed, blocks: idx.blocks, backupid: 'bench_1700000000', keyFor: () => key }, range);
    reader = new DiskImageReader(written.fragments, br.storedRange);
    source = br.attach(reader);
  }
  const t = process.hrtime.bigint();
  let total = 0;
  for (;;) {
    let fill = 0;
    while (fill < BLOCK) {
      const n = await source.read(buf, fill, BLOCK - fill);
      if (n === 0) break;
      fill += n;
    }
    if (fill === 0) break;
    total += fill;
  }
  await reader.close();
  if (total !== MiB * 1024 * 1024) throw new Error(`${kind}: read ${total} bytes`);
  return Number(process.hrtime.bigint() - t) / 1e9;
}

const kinds = ['before', 'plain', 'compressed', 'encrypted'];
const results = Object.fromEntries(kinds.map((k) => [k, { w: [], r: [], stored: 0 }]));
try {
  for (let r = 0; r < ROUNDS; r++) {
    for (const k of kinds) {
      const written = await write(k);
      results[k].w.push(written.s);
      results[k].stored = written.fragments.reduce((n, f) => n + f.bytes, 0);
      results[k].r.push(await read(k === 'before' ? 'before' : k, written));
      fs.rmSync(written.dir, { recursive: true, force: true });
    }
  }
} finally {
  fs.rmSync(base, { recursive: true, force: true });
}
const median = (a) => [...a].sort((x, y) => x - y)[Math.floor(a.length / 2)];
const rate = (s) => (MiB / s).toFixed(0);
console.log(`${MiB} MiB in ${BLOCK / 1024} KiB blocks, ${ROUNDS} rounds, medians`);
console.log('path        write MiB/s  read MiB/s  write/before  read/before  stored MiB');
for (const k of kinds) {
  const w = median(results[k].w);
  const rd = median(results[k].r);
  console.log(
    `${k.padEnd(11)} ${rate(w).padStart(11)} ${rate(rd).padStart(11)} ${(median(results.before.w) / w).toFixed(3).padStart(13)} ${(median(results.before.r) / rd).toFixed(3).padStart(12)} ${(results[k].stored / 1048576).toFixed(0).padStart(11)}`,
  );
}
