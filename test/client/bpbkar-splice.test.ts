// bpbkar with a real pipe on stdout (as bpbrm starts it): bodies of 8 KiB and more are spliced from the file into the pipe.
// The stream must be the one the read loop writes, and a file that shrinks or grows while it is spliced keeps
// its header's length (zeros, or its first bytes) with the same warnings as before.

import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { spawn, spawnSync } from 'node:child_process';
import type { Readable } from 'node:stream';
import { readEventLines } from '../../src/ipc/event-lines.js';
import { sys } from '../../src/native/sys.js';
import { waitForExit } from '../../src/ipc/spawn.js';
import { runBpbkar, specArgs } from './run-client.js';
import { spawnCommandModule } from '../helpers/run-binary.js';

const MiB = 1024 * 1024;

let dir: string;
beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'obp-splice-'));
});
afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

const spec = (paths: string[]) => ({ jobid: 7, backupid: 'c_7', client: 'c', paths });

/** Bytes that say where they are (a misplaced or missing piece shows). */
function patterned(n: number, seed: number): Buffer {
  const b = Buffer.alloc(n);
  for (let i = 0; i + 8 <= n; i += 4096) {
    b.writeUInt32BE(i, i);
    b.writeUInt32BE(seed, i + 4);
  }
  return b;
}

/**
 * Runs bpbkar with stdout the write end of a pipe(2), read by `sh -c reader` (stream to $OUT; the big file is $F).
 * Returns the stream, the events and the exit status.
 */
async function spliced(paths: string[], reader: string, bigFile = ''): Promise<{ stream: Buffer; events: Array<Record<string, unknown>>; status: number | null }> {
  const [r, w] = sys().pipe();
  const out = path.join(dir, 'stream.tar');
  const bk = spawnCommandModule('bpbkar', specArgs(dir, 'spec', spec(paths)), { stdio: ['ignore', w, 'pipe', 'pipe'] });
  const rd = spawn('sh', ['-c', reader], { stdio: [r, 'ignore', 'inherit'], env: { ...process.env, OUT: out, F: bigFile } });
  fs.closeSync(r);
  fs.closeSync(w);
  const events: Array<Record<string, unknown>> = [];
  const eventsDone = readEventLines(bk.stdio[3] as Readable, (v) => events.push(v as Record<string, unknown>));
  const [exit, rexit] = await Promise.all([waitForExit(bk), waitForExit(rd), eventsDone]);
  expect(rexit.code).toBe(0);
  return { stream: fs.readFileSync(out), events, status: exit.code };
}

/** bpbkar's stream through a pipe (cat), checked equal to the read loop's (the test's stdout is a socket pair). */
async function sameAsReadLoop(paths: string[]): Promise<Buffer> {
  const viaPipe = await spliced(paths, 'cat > "$OUT"');
  expect(viaPipe.status).toBe(0);
  const viaReads = await runBpbkar(dir, spec(paths));
  expect(viaReads.status).toBe(0);
  expect(viaPipe.stream.equals(viaReads.stdout)).toBe(true);
  return viaPipe.stream;
}

function untar(stream: Buffer, into: string): void {
  fs.mkdirSync(into);
  const t = spawnSync('tar', ['-xf', '-', '-C', into], { input: stream });
  expect(t.stderr.toString()).toBe('');
  expect(t.status).toBe(0);
}

describe('bpbkar splicing large files into a pipe', () => {
  it('writes the same stream as the read loop, which GNU tar extracts byte for byte', async () => {
    const big = patterned(5 * MiB + 77, 1);
    fs.writeFileSync(path.join(dir, 'big'), big);
    fs.writeFileSync(path.join(dir, 'exact'), patterned(2 * MiB, 2));
    fs.writeFileSync(path.join(dir, 'small'), 'small file after the big ones');
    const paths = ['big', 'exact', 'small'].map((n) => path.join(dir, n));
    untar(await sameAsReadLoop(paths), path.join(dir, 'x'));
    const rel = dir.slice(1);
    expect(fs.readFileSync(path.join(dir, 'x', rel, 'big')).equals(big)).toBe(true);
    expect(fs.readFileSync(path.join(dir, 'x', rel, 'exact')).equals(fs.readFileSync(path.join(dir, 'exact')))).toBe(true);
    expect(fs.readFileSync(path.join(dir, 'x', rel, 'small'), 'utf8')).toBe('small file after the big ones');
  });

  it('splices small files too (8 KiB up to 1 MiB) between ones staged whole: the same stream as the read loop', async () => {
    const sizes = [0, 1, 511, 512, 8191, 8192, 8193, 20_000, 65_536, 65_537, 300_001, MiB, 100, 9000];
    const paths = sizes.map((n, i) => {
      const f = path.join(dir, `f${String(i).padStart(2, '0')}`);
      fs.writeFileSync(f, patterned(n, 10 + i));
      return f;
    });
    untar(await sameAsReadLoop(paths), path.join(dir, 'x'));
    sizes.forEach((n, i) => expect([i, fs.readFileSync(path.join(dir, 'x', paths[i]!.slice(1))).equals(patterned(n, 10 + i))]).toEqual([i, true]));
  });

  it('pads a file that shrinks while it is spliced with zeros, warns, and keeps the next entry intact', async () => {
    const size = 16 * MiB;
    const big = patterned(size, 3);
    const file = path.join(dir, 'big');
    fs.writeFileSync(file, big);
    fs.writeFileSync(path.join(dir, 'next'), 'the entry after');
    // The pipe holds 1 MiB: bpbkar is at most a few MiB ahead of the reader when the file is cut to 2 MiB.
    const reader = 'head -c 3145728 > "$OUT"; truncate -s 2097152 "$F"; cat >> "$OUT"';
    const run = await spliced([file, path.join(dir, 'next')], reader, file);
    expect(run.status).toBe(1);
    const warnings = run.events.filter((e) => e.kind === 'warning');
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatchObject({ path: file, code: 'EREAD' });
    expect(String(warnings[0]!.message)).toMatch(/file shrank by \d+ bytes while being read; padded with zeros/);
    untar(run.stream, path.join(dir, 'x'));
    const got = fs.readFileSync(path.join(dir, 'x', dir.slice(1), 'big'));
    expect(got.length).toBe(size);
    expect(got.subarray(0, 2 * MiB).equals(big.subarray(0, 2 * MiB))).toBe(true);
    expect(got.subarray(8 * MiB).equals(Buffer.alloc(8 * MiB))).toBe(true);
    expect(fs.readFileSync(path.join(dir, 'x', dir.slice(1), 'next'), 'utf8')).toBe('the entry after');
  });

  it('stores the first bytes of a file that grows while it is spliced, and warns', async () => {
    const size = 8 * MiB + 5;
    const big = patterned(size, 4);
    const file = path.join(dir, 'big');
    fs.writeFileSync(file, big);
    const reader = 'head -c 3145728 > "$OUT"; head -c 1048576 /dev/zero >> "$F"; cat >> "$OUT"';
    const run = await spliced([file], reader, file);
    expect(run.status).toBe(1);
    const warnings = run.events.filter((e) => e.kind === 'warning');
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatchObject({ path: file, code: 'EGREW' });
    untar(run.stream, path.join(dir, 'x'));
    expect(fs.readFileSync(path.join(dir, 'x', dir.slice(1), 'big')).equals(big)).toBe(true);
  });
});
