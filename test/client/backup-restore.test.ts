// bpbkar | nbtar for real on the fidelity tree, and GNU tar / bsdtar reading the same stream.

import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { execFileSync, spawnSync } from 'node:child_process';
import { makeFidelityTree } from '../helpers/make-tree.js';
import { compareTrees } from '../helpers/compare-trees.js';
import { recordsOf, runBpbkar, runNbtar, runPipeline } from './run-client.js';

const isRoot = process.getuid?.() === 0;
const hasBsdtar = spawnSync('bsdtar', ['--version']).status === 0;

describe('bpbkar | nbtar round trip', () => {
  let dir: string;
  let src: string;
  let stream: Buffer;

  beforeAll(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'obp-rt-'));
    src = path.join(dir, 'src');
    await makeFidelityTree(src);
    const run = await runBpbkar(dir, { jobid: 1, backupid: 'c_1', client: 'c', paths: [src] });
    expect(run.stderr).toBe('');
    expect(run.status).toBe(0);
    stream = run.stdout;
  }, 60_000);
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('restores an identical tree through a real pipe, renamed', async () => {
    const dst = path.join(dir, 'piped');
    const { bpbkar, nbtar } = await runPipeline(
      dir,
      { jobid: 1, backupid: 'c_1', client: 'c', paths: [src] },
      { jobid: 1, selections: [src], renames: [[src, dst]], keepExisting: false, restoreOwnership: isRoot },
    );
    expect([bpbkar.status, nbtar.status, nbtar.stderr]).toEqual([0, 0, '']);
    expect(nbtar.events.filter((e) => e.kind === 'warning')).toEqual([]);
    expect(await compareTrees(src, dst, { owners: isRoot })).toEqual([]);
    const end = nbtar.events.find((e) => e.kind === 'end')!;
    expect(end.files).toBe(bpbkar.events.find((e) => e.kind === 'end')!.files);
  }, 60_000);

  it('reports every file with the offset of its first header block', async () => {
    const run = await runBpbkar(dir, { jobid: 1, backupid: 'c_1', client: 'c', paths: [src] });
    const records = recordsOf(run);
    const end = run.events.find((e) => e.kind === 'end')!;
    expect(end).toMatchObject({ status: 0, files: records.length, bytes: stream.length });
    expect(stream.length % 10240).toBe(0);
    // Restoring from each record's offset alone yields exactly that file.
    const sample = records.filter((r) => r.type === 'f' && (r.path as string).includes('/names/')).slice(0, 3);
    for (const r of sample) {
      const out = path.join(dir, `single-${Math.random().toString(16).slice(2)}`);
      const n = await runNbtar(dir, { jobid: 2, selections: [r.path], renames: [[r.path, out]], keepExisting: false, restoreOwnership: false }, stream.subarray(r.offset as number));
      expect(n.status).toBe(0);
      expect(fs.readFileSync(Buffer.from(out))).toEqual(fs.readFileSync(Buffer.from(r.path as string, 'latin1')));
    }
    expect(records[0]).toMatchObject({ path: src, type: 'd', offset: 0 });
    const hard = records.filter((r) => r.type === 'h');
    expect(hard.length).toBe(3); // second, sub/third, empty-b
    expect(hard.every((r) => (r.link as string).startsWith(`${src}/hard/`))).toBe(true);
    expect(records.some((r) => r.type === 'p')).toBe(true);
    expect(records.find((r) => (r.path as string).endsWith('/files/big'))!.mtimeNs).toMatch(/^\d+$/);
  }, 60_000);

  it('is listed and extracted identically by GNU tar', async () => {
    const file = path.join(dir, 'stream.tar');
    fs.writeFileSync(file, stream);
    const listing = execFileSync('tar', ['-tf', file], { maxBuffer: 64 << 20, stdio: ['ignore', 'pipe', 'pipe'] }).toString('latin1');
    expect(listing.split('\n')[0]).toBe(`${src.slice(1)}/`);
    const out = path.join(dir, 'gnu');
    fs.mkdirSync(out);
    const r = spawnSync('tar', ['-xpf', file, '-C', out, ...(isRoot ? ['--same-owner'] : [])]);
    expect(r.status).toBe(0);
    // GNU tar 1.34 warns about the hdrcharset keyword it does not know, and keeps the raw bytes.
    const unexpected = r.stderr.toString().split('\n').filter((l) => l && !/hdrcharset|implausibly old time stamp/.test(l));
    expect(unexpected).toEqual([]);
    expect(await compareTrees(src, path.join(out, src), { owners: isRoot })).toEqual([]);
  }, 60_000);

  (hasBsdtar ? it : it.skip)('is listed and extracted identically by bsdtar', async () => {
    const file = path.join(dir, 'stream.tar');
    fs.writeFileSync(file, stream);
    const out = path.join(dir, 'bsd');
    fs.mkdirSync(out);
    const r = spawnSync('bsdtar', ['-xpf', file, '-C', out]);
    expect(r.stderr.toString()).toBe('');
    expect(r.status).toBe(0);
    const diffs = await compareTrees(src, path.join(out, src), { owners: isRoot });
    // bsdtar reads a negative pax time "-S.F" as -S + .F (GNU tar and POSIX: the value -S.F); only files/one is pre-epoch.
    expect(diffs.filter((d) => !/^"files\/one": mtime -/.test(d))).toEqual([]);
  }, 60_000);
});
