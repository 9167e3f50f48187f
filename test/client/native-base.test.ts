// An incremental's base held by the addon: the listings matched with it in C and the unchanged files' records encoded
// there must give the very blocks the TypeScript path (readBaseFiles, BlockEncoder) gives, on a tree with every kind
// of change; and a base the addon cannot read leaves bpbkar on that path.

import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { PassThrough } from 'node:stream';
import { recordsOf, runBpbkar } from './run-client.js';
import { readBaseFiles } from '../../src/client/bpbkar/base-files.js';
import { NativeBase } from '../../src/client/bpbkar/native-base.js';
import { runBackup } from '../../src/client/bpbkar/backup.js';
import { FilesWriter, decodeBlock, type FilesEntry, type FilesEntryInput } from '../../src/formats/files-file.js';
import { sys } from '../../src/native/sys.js';
import type { BpbkarEvent } from '../../src/protocol/job-events.js';

let dir: string;
let top: string;
beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'obp-nbase-'));
  top = path.join(dir, 'data');
});
afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

const p = (rel: string) => path.join(top, rel);
const raw = (rel: string) => Buffer.from(p(rel), 'latin1');

/** A tree with every kind of entry change detection meets. */
function makeTree(): void {
  fs.mkdirSync(p('sub/deep'), { recursive: true });
  fs.mkdirSync(p('empty'));
  for (const n of ['same', 'edited', 'chmodded', 'replaced', 'touched', 'removed', 'sub/same', 'sub/deep/x', 'a b', 'a-b']) fs.writeFileSync(p(n), `${n}\n`);
  fs.writeFileSync(raw('a\xff'), 'high byte\n');
  fs.writeFileSync(p('hard1'), 'linked\n');
  fs.linkSync(p('hard1'), p('hard2'));
  fs.symlinkSync('same', p('link'));
  fs.symlinkSync('aaa', p('retarget'));
  sys().mkfifo(raw('fifo'), 0o644);
  fs.writeFileSync(p('old'), 'before 1970\n');
  fs.utimesSync(p('old'), -300_000_000, -300_000_000.25);
  fs.writeFileSync(p('ns'), 'nanoseconds\n');
  sys().utimensat(raw('ns'), 1_700_000_000, 1, 1_700_000_000, 123_456_789, true);
  for (let i = 0; i < 1500; i++) fs.writeFileSync(p(`sub/many-${String(i).padStart(4, '0')}`), ''); // more than one block
}

function changeTree(): void {
  fs.writeFileSync(p('edited'), 'edited, longer\n');
  fs.chmodSync(p('chmodded'), 0o600);
  fs.writeFileSync(p('replaced.tmp'), 'replaced\n');
  fs.renameSync(p('replaced.tmp'), p('replaced'));
  fs.utimesSync(p('touched'), 1_600_000_000, 1_600_000_000);
  fs.rmSync(p('removed'));
  fs.writeFileSync(p('new'), 'new\n');
  fs.rmSync(p('retarget'));
  fs.symlinkSync('bbb', p('retarget'));
  fs.writeFileSync(p('sub/many-0700'), 'now with bytes');
}

/**
 * Reads every regular file and symbolic link once: the next reads (a backup's readlink too) leave their access times
 * as they are (relatime), so that two runs record the same ones.
 */
function readAll(d: string): void {
  execFileSync('find', [d, '-type', 'f', '-exec', 'cat', '{}', '+'], { stdio: ['ignore', 'ignore', 'inherit'] });
  execFileSync('find', [d, '-type', 'l', '-exec', 'readlink', '{}', '+'], { stdio: ['ignore', 'ignore', 'inherit'] });
}

/** The full backup's records as bpdbm keeps them: with the top's ancestors before them. */
function writeBase(records: FilesEntry[]): string {
  const file = path.join(dir, 'base.f');
  const w = FilesWriter.create(file);
  const ancestors: FilesEntryInput[] = [];
  for (let a = path.dirname(top); ; a = path.dirname(a)) {
    ancestors.unshift({ ...records[0]!, path: a, type: 'd', offset: 0, inImage: 1 });
    if (a === '/') break;
  }
  w.add([...ancestors, ...records]);
  w.finish();
  return file;
}

/** bpbkar in this process, the file-block payloads it reports. */
async function blocksOf(paths: string[], base: Parameters<typeof runBackup>[1]['base']): Promise<Array<{ count: number; block: Buffer }>> {
  const out = new PassThrough();
  out.resume();
  const events: BpbkarEvent[] = [];
  await runBackup({ jobid: 2, backupid: 'h_2', client: 'h', paths }, { out, onEvent: (e) => events.push(e), ...(base ? { base } : {}) });
  base?.close();
  return events.flatMap((e) => (e.kind === 'file-block' ? [{ count: e.count, block: e.block }] : []));
}

const decoded = (blocks: Array<{ count: number; block: Buffer }>) => blocks.flatMap((b) => decodeBlock(b.block, b.count));

describe('a base held by the addon', () => {
  it('gives the blocks the TypeScript path gives, changed and unchanged files alike', async () => {
    makeTree();
    const full = await runBpbkar(dir, { jobid: 1, backupid: 'h_1', client: 'h', paths: [top] });
    expect(full.status).toBe(0);
    const baseFile = writeBase(recordsOf(full));
    changeTree();
    readAll(top);

    const native = NativeBase.load(baseFile);
    expect(native?.records).toBe(recordsOf(full).length + top.split('/').length - 1);
    const inC = await blocksOf([top], native);
    const inTs = await blocksOf([top], await readBaseFiles(baseFile));
    expect(inC.length).toBeGreaterThan(1);
    const [c, t] = [decoded(inC), decoded(inTs)];
    expect(c.map((r, i) => [r, t[i]]).filter(([r, s]) => JSON.stringify(r) !== JSON.stringify(s))).toEqual([]);
    expect(inC).toEqual(inTs);

    const flags = Object.fromEntries(decoded(inC).map((r) => [path.relative(top, r.path) || '.', r.inImage]));
    expect(flags).toMatchObject({
      '.': 1, same: 0, 'a b': 0, 'a-b': 0, 'a\xff': 0, link: 0, fifo: 0, old: 0, ns: 0, 'sub/same': 0, 'sub/deep/x': 0, 'sub/many-0001': 0,
      edited: 1, chmodded: 1, replaced: 1, touched: 1, new: 1, retarget: 1, hard1: 1, hard2: 1, sub: 1, 'sub/many-0700': 1, empty: 1,
    });
    expect(flags).not.toHaveProperty('removed');
    const same = decoded(inC).find((r) => r.path === p('same'))!;
    const st = fs.lstatSync(p('same'), { bigint: true });
    expect([same.mtimeNs, same.ino, same.size, same.offset, same.atime]).toEqual([String(st.mtimeNs), Number(st.ino), 5, 0, Number(st.atimeMs / 1000n)]);

    // The real bpbkar (which loads the base into the addon) reports the same blocks.
    const spawned = await runBpbkar(dir, { jobid: 2, backupid: 'h_2', client: 'h', paths: [top], baseFiles: baseFile });
    expect(spawned.status).toBe(0);
    expect(spawned.events.filter((e) => e.kind === 'file-block').map((e) => ({ count: e.count, block: e.block }))).toEqual(inC);
  });

  it('matches a selection that is a file itself', async () => {
    makeTree();
    const full = await runBpbkar(dir, { jobid: 1, backupid: 'h_1', client: 'h', paths: [top] });
    const baseFile = writeBase(recordsOf(full));
    const files = [p('same'), p('link'), p('edited')];
    fs.writeFileSync(p('edited'), 'edited, longer\n');
    readAll(top);
    const inC = await blocksOf(files, NativeBase.load(baseFile));
    expect(inC).toEqual(await blocksOf(files, await readBaseFiles(baseFile)));
    expect(decoded(inC).map((r) => [path.basename(r.path), r.inImage])).toEqual([['same', 0], ['link', 0], ['edited', 1]]);
  });

  it('is not loaded from a file that is no .f, or holds too many records: bpbkar reads it in TypeScript', async () => {
    const ndjson = path.join(dir, 'base.ndjson');
    fs.writeFileSync(ndjson, '{"path":"/x"}\n');
    expect(NativeBase.load(ndjson)).toBeUndefined();
    const corrupt = path.join(dir, 'corrupt.f');
    makeTree();
    const full = await runBpbkar(dir, { jobid: 1, backupid: 'h_1', client: 'h', paths: [top] });
    const baseFile = writeBase(recordsOf(full));
    const good = fs.readFileSync(baseFile);
    good[40] ^= 0xff; // inside the first block
    fs.writeFileSync(corrupt, good);
    expect(NativeBase.load(corrupt)).toBeUndefined();
    expect(NativeBase.load(path.join(dir, 'missing.f'))).toBeUndefined();
    // Too many records to hold: read alongside the walk instead.
    const records = recordsOf(full).length + top.split('/').length - 1;
    expect(NativeBase.load(baseFile, records - 1)).toBeUndefined();
    expect(NativeBase.load(baseFile, records)?.records).toBe(records);
  });
});
