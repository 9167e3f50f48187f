import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import crypto from 'node:crypto';
import { execFileSync, type ChildProcess } from 'node:child_process';
import type { Readable, Writable } from 'node:stream';
import { spawnCommandModule } from '../../helpers/run-binary.js';
import { readEventLines } from '../../../src/ipc/event-lines.js';
import { bptmEvent, type BptmEvent } from '../../../src/protocol/job-events.js';
import type { FragmentRecord } from '../../../src/protocol/records.js';
import type { BptmSpec } from '../../../src/protocol/job-specs.js';
import { removeJobShmFiles, shmFileName } from '../../../src/media/bptm/shm-file.js';
import { decodeIndex, encodeSection } from '../../../src/formats/block-index.js';
import { blockChecksum } from '../../../src/formats/block-checksum.js';
import { sys } from '../../../src/native/sys.js';

const MiB = 1024 * 1024;
const TOTAL = 50 * MiB;

/** Deterministic pseudo-random stream: AES-128-CTR of zeros under a fixed key. */
function streamBytes(n: number, seed = 1): Buffer {
  const key = crypto.createHash('sha256').update(`seed${seed}`).digest().subarray(0, 16);
  return crypto.createCipheriv('aes-128-ctr', key, Buffer.alloc(16)).update(Buffer.alloc(n));
}

interface Run {
  proc: ChildProcess;
  events: BptmEvent[];
  eventsDone: Promise<void>;
  stdout: Buffer[];
  stderr: string[];
  exit: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

/** `stdoutFd`: a descriptor for its standard output (a real pipe, as bpbrm gives it) instead of Node's socket. */
function startBptm(specFile: string, stdin: 'pipe' | 'ignore', stdoutFd?: number): Run {
  const proc = spawnCommandModule('bptm', ['--spec', specFile], { stdio: [stdin, stdoutFd ?? 'pipe', 'pipe', 'pipe'] });
  const events: BptmEvent[] = [];
  const stdout: Buffer[] = [];
  const stderr: string[] = [];
  proc.stdout?.on('data', (c: Buffer) => stdout.push(c));
  proc.stderr!.on('data', (c: Buffer) => stderr.push(c.toString()));
  const eventsDone = readEventLines(proc.stdio[3] as Readable, (v) => events.push(bptmEvent.parse(v)));
  const exit = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => proc.once('exit', (code, signal) => resolve({ code, signal })));
  return { proc, events, eventsDone, stdout, stderr, exit };
}

/** Writes data into the pipe, honouring back-pressure; rejects if the reader goes away. */
function feed(stdin: Writable, data: Buffer, chunk = 1 * MiB): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    let off = 0;
    stdin.once('error', reject);
    const more = (): void => {
      while (off < data.length) {
        const ok = stdin.write(data.subarray(off, off + chunk));
        off += chunk;
        if (!ok) {
          stdin.once('drain', more);
          return;
        }
      }
      stdin.end(() => resolve());
    };
    more();
  });
}

function childrenOf(pid: number): number[] {
  try {
    return fs
      .readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8')
      .trim()
      .split(/\s+/)
      .filter(Boolean)
      .map(Number);
  } catch {
    return [];
  }
}

function alive(pid: number): boolean {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    return !/^\d+ \(.*\) Z /.test(stat);
  } catch {
    return false;
  }
}

/** Whether /proc/<pid> is the bptm child of the run with this spec file. */
function childOf(pid: string, specFile: string): boolean {
  try {
    const argv = fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0');
    return argv.includes('--child') && argv.includes(specFile);
  } catch {
    return false;
  }
}

async function waitFor(cond: () => boolean, ms: number, what: string): Promise<void> {
  const until = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** Runs fn with one byte of file flipped (at `at`), then puts the file back. */
async function withByteFlipped(file: string, at: number, fn: () => Promise<void>): Promise<void> {
  const original = fs.readFileSync(file);
  try {
    const damaged = Buffer.from(original);
    damaged[at]! ^= 1;
    fs.writeFileSync(file, damaged);
    await fn();
  } finally {
    fs.writeFileSync(file, original);
  }
}

describe('bptm (real processes)', () => {
  let dir: string;
  let shmDir: string;
  let stu: string;
  let jobid = 900000 + (process.pid % 50000) * 10;

  function spec(over: Partial<BptmSpec>): string {
    const s: BptmSpec = {
      jobid: ++jobid,
      backupid: 'client1_1700000000',
      direction: 'write',
      unit: { label: 'disk1', type: 'disk', path: stu, host: 'media1', concurrentJobs: 1, maxFragmentMB: 8, highWaterMark: 98, lowWaterMark: 80, onDemandOnly: false, maxMpx: 1 },
      numberOfBuffers: 8,
      bufferSize: 64 * 1024,
      copy: 1,
      retentionLevel: 1,
      expiration: 1900000000,
      shmDir,
      ...over,
    };
    const f = path.join(dir, `spec-${s.jobid}.json`);
    fs.writeFileSync(f, JSON.stringify(s));
    return f;
  }

  beforeAll(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'openbp-bptm-'));
    shmDir = fs.mkdtempSync(path.join('/dev/shm', 'openbp-bptm-test-'));
  });
  afterAll(() => {
    fs.rmSync(dir, { recursive: true, force: true });
    fs.rmSync(shmDir, { recursive: true, force: true });
  });
  beforeEach(() => {
    stu = fs.mkdtempSync(path.join(dir, 'stu-'));
  });

  /** Runs `body` on a tmpfs of `size` mounted under dir (unmounted after); warns and skips where mounting is refused. */
  async function onSmallTmpfs(size: string, body: (mnt: string) => Promise<void>): Promise<void> {
    const mnt = fs.mkdtempSync(path.join(dir, 'tmpfs-'));
    try {
      execFileSync('mount', ['-t', 'tmpfs', '-o', `size=${size}`, 'tmpfs', mnt], { stdio: 'pipe' });
    } catch (e) {
      console.warn(`cannot mount a ${size} tmpfs (${(e as Error).message.split('\n')[0]}); skipped`);
      return;
    }
    try {
      await body(mnt);
    } finally {
      execFileSync('umount', [mnt]);
    }
  }

  const data = streamBytes(TOTAL);
  let fragments: FragmentRecord[] = [];
  let blockIndex = '';

  it('writes 50 MiB from a pipe into 8 MiB fragments and reports each one', async () => {
    const run = startBptm(spec({}), 'pipe');
    await feed(run.proc.stdin!, data);
    const { code } = await run.exit;
    await run.eventsDone;
    expect(run.stderr.join('')).toBe('');
    expect(code).toBe(0);
    const events = run.events.filter((e): e is Extract<BptmEvent, { kind: 'fragment' }> => e.kind === 'fragment');
    fragments = events.map((e) => e.fragment);
    // Each fragment's block index section (version 2): one 64 KiB block per ring slot, each with its BLAKE3 (first 8 bytes).
    const sections = events.map((e) => decodeIndex(Buffer.from(e.blocks!, 'base64'))[0]!);
    blockIndex = Buffer.concat(events.map((e) => Buffer.from(e.blocks!, 'base64'))).toString('base64');
    expect(sections.map((s) => [s.fragment, s.rawOffset, s.blocks.length])).toEqual(fragments.map((f) => [f.fragment, f.streamOffset, f.bytes / (64 * 1024)]));
    expect(fragments.map((f) => f.bytes)).toEqual([8, 8, 8, 8, 8, 8, 2].map((m) => m * MiB));
    expect(fragments.map((f) => f.fragment)).toEqual([1, 2, 3, 4, 5, 6, 7]);
    for (const f of fragments) {
      const bytes = fs.readFileSync(f.mediaId);
      expect(bytes.equals(data.subarray(f.streamOffset, f.streamOffset + f.bytes))).toBe(true);
      // No whole-fragment sha256: bptm checksums every block instead.
      expect(f.checksum).toBe('');
      const s = sections[f.fragment - 1]!;
      expect(s.sum).toBe('blake3');
      s.blocks.forEach((b, i) => expect(b.checksum).toBe(blockChecksum(bytes.subarray(i * 65536, (i + 1) * 65536), 'blake3')));
    }
    expect(run.events.at(-1)).toEqual({ kind: 'end', status: 0, bytes: TOTAL });
    expect(fs.readdirSync(stu).filter((n) => n.endsWith('.part'))).toEqual([]);
    expect(fs.readdirSync(shmDir)).toEqual([]);
    // keep the image for the read tests
    const keep = fs.mkdtempSync(path.join(dir, 'image-'));
    fragments = fragments.map((f) => {
      const to = path.join(keep, path.basename(f.mediaId));
      fs.renameSync(f.mediaId, to);
      return { ...f, mediaId: to };
    });
  }, 30000);

  it('reads the whole image and a middle range back, byte for byte', async () => {
    expect(fragments.length).toBe(7);
    const whole = startBptm(spec({ direction: 'read', fragments, rangeStart: 0, rangeEnd: -1 }), 'ignore');
    const middle = startBptm(spec({ direction: 'read', fragments, rangeStart: 10 * MiB + 3, rangeEnd: 30 * MiB + 5, numberOfBuffers: 4, bufferSize: 256 * 1024 }), 'ignore');
    expect((await whole.exit).code).toBe(0);
    expect((await middle.exit).code).toBe(0);
    await Promise.all([whole.eventsDone, middle.eventsDone]);
    expect(Buffer.concat(whole.stdout).equals(data)).toBe(true);
    expect(Buffer.concat(middle.stdout).equals(data.subarray(10 * MiB + 3, 30 * MiB + 5))).toBe(true);
    expect(whole.events.at(-1)).toEqual({ kind: 'end', status: 0, bytes: TOTAL });
    expect(fs.readdirSync(shmDir)).toEqual([]);
  }, 30000);

  it('with the block index: a range read checks only its blocks, and a flipped byte in one of them is 85', async () => {
    const range = { rangeStart: 17 * MiB + 1000, rangeEnd: 17 * MiB + 300000 };
    const ok = startBptm(spec({ direction: 'read', fragments, blockIndex, ...range }), 'ignore');
    expect((await ok.exit).code).toBe(0);
    await ok.eventsDone;
    expect(Buffer.concat(ok.stdout).equals(data.subarray(range.rangeStart, range.rangeEnd))).toBe(true);
    // Fragment 3 holds stream bytes 16-24 MiB: flip one byte inside the range, then one outside it.
    const file = fragments[2]!.mediaId;
    await withByteFlipped(file, 5 * MiB, async () => {
      const still = startBptm(spec({ direction: 'read', fragments, blockIndex, ...range }), 'ignore');
      expect((await still.exit).code).toBe(0);
      await still.eventsDone;
    });
    await withByteFlipped(file, MiB + 2000, async () => {
      const bad = startBptm(spec({ direction: 'read', fragments, blockIndex, ...range }), 'ignore');
      expect((await bad.exit).code).toBe(85);
      await bad.eventsDone;
      expect(bad.events.at(-1)).toMatchObject({ kind: 'end', status: 85, message: expect.stringMatching(/fails its checksum/) });
      // Nothing of the damaged block came out: only whole blocks before it.
      expect(Buffer.concat(bad.stdout).length).toBeLessThan(MiB + 2000 - 1000);
    });
  }, 30000);

  it('with the block index, a whole read leaves the block checks to the child: intact 0, a flipped byte 85 naming its block', async () => {
    const ok = startBptm(spec({ direction: 'read', fragments, blockIndex }), 'ignore');
    expect((await ok.exit).code).toBe(0);
    await ok.eventsDone;
    expect(Buffer.concat(ok.stdout).equals(data)).toBe(true);
    // Fragment 3 holds stream bytes 16-24 MiB.
    await withByteFlipped(fragments[2]!.mediaId, 3 * MiB + 77, async () => {
      const bad = startBptm(spec({ direction: 'read', fragments, blockIndex }), 'ignore');
      expect((await bad.exit).code).toBe(85);
      await bad.eventsDone;
      // The parent names the block (it knows where it came from), though the child found the mismatch.
      expect(bad.events.at(-1)).toMatchObject({ kind: 'end', status: 85, message: expect.stringMatching(/block \d+ of fragment 3 \(stream offset \d+\) fails its checksum/) });
      // Nothing of the damaged block (64 KiB blocks: it starts at 19 MiB) came out.
      const out = Buffer.concat(bad.stdout);
      expect(out.length).toBeLessThanOrEqual(19 * MiB);
      expect(out.equals(data.subarray(0, out.length))).toBe(true);
    });
  }, 30000);

  it('reads an image indexed before BLAKE3 (version 1, sha256 checksums): intact 0, a flipped byte 85 in the child and in the parent', async () => {
    const v1 = decodeIndex(Buffer.from(blockIndex, 'base64')).map((s, i) => {
      const bytes = fs.readFileSync(fragments[i]!.mediaId);
      let at = 0;
      const blocks = s.blocks.map((b) => {
        const checksum = crypto.createHash('sha256').update(bytes.subarray(at, at + b.storedLength)).digest('hex').slice(0, 16);
        at += b.storedLength;
        return { ...b, checksum };
      });
      return encodeSection({ ...s, sum: 'sha256', blocks });
    });
    expect(v1.every((s) => s[4] === 1)).toBe(true);
    const oldIndex = Buffer.concat(v1).toString('base64');
    const ok = startBptm(spec({ direction: 'read', fragments, blockIndex: oldIndex }), 'ignore');
    expect((await ok.exit).code).toBe(0);
    await ok.eventsDone;
    expect(Buffer.concat(ok.stdout).equals(data)).toBe(true);
    await withByteFlipped(fragments[2]!.mediaId, 3 * MiB + 77, async () => {
      const whole = startBptm(spec({ direction: 'read', fragments, blockIndex: oldIndex }), 'ignore');
      const range = startBptm(spec({ direction: 'read', fragments, blockIndex: oldIndex, rangeStart: 19 * MiB + 5, rangeEnd: 19 * MiB + 9 }), 'ignore');
      for (const bad of [whole, range]) {
        expect((await bad.exit).code).toBe(85);
        await bad.eventsDone;
        expect(bad.events.at(-1)).toMatchObject({ kind: 'end', status: 85, message: expect.stringMatching(/of fragment 3 \(stream offset \d+\) fails its checksum: sha256 [0-9a-f]{16}\.\.\., catalogue/) });
      }
    });
  }, 30000);

  it('restores into a real pipe read slowly: its slots go in by vmsplice, and none is refilled before the reader took it', async () => {
    const [r, w] = sys().pipe();
    // A ring of 256 KiB behind a pipe of 1 MiB: a slot let go as soon as it is in the pipe would be refilled while
    // the pipe still refers to its pages, and the reader would get later bytes in its place.
    const run = startBptm(spec({ direction: 'read', fragments, blockIndex, numberOfBuffers: 4, bufferSize: 64 * 1024 }), 'ignore', w);
    fs.closeSync(w);
    const out = Buffer.alloc(TOTAL + 1);
    let got = 0;
    for (let i = 0; ; i++) {
      const n = await new Promise<number>((resolve, reject) => fs.read(r, out, got, Math.min(48 * 1024, out.length - got), null, (e, k) => (e ? reject(e) : resolve(k))));
      if (n === 0) break;
      got += n;
      if (i % 8 === 0) await new Promise((resolve) => setTimeout(resolve, 2));
    }
    fs.closeSync(r);
    expect((await run.exit).code).toBe(0);
    await run.eventsDone;
    expect(got).toBe(TOTAL);
    expect(out.subarray(0, got).equals(data)).toBe(true);
    expect(run.events.at(-1)).toEqual({ kind: 'end', status: 0, bytes: TOTAL });
  }, 30000);

  it('restores into a real pipe a run of slots at a time, and stops before a damaged block: 85 naming it', async () => {
    const readAll = async (r: number): Promise<Buffer> => {
      const chunks: Buffer[] = [];
      for (;;) {
        const b = Buffer.alloc(MiB);
        const n = await new Promise<number>((resolve, reject) => fs.read(r, b, 0, b.length, null, (e, k) => (e ? reject(e) : resolve(k))));
        if (n === 0) return Buffer.concat(chunks);
        chunks.push(b.subarray(0, n));
      }
    };
    // Fragment 3 holds stream bytes 16-24 MiB; 64 KiB blocks: the damaged one starts at 19 MiB.
    await withByteFlipped(fragments[2]!.mediaId, 3 * MiB + 77, async () => {
      const [r, w] = sys().pipe();
      const bad = startBptm(spec({ direction: 'read', fragments, blockIndex, numberOfBuffers: 16, bufferSize: 64 * 1024 }), 'ignore', w);
      fs.closeSync(w);
      const out = await readAll(r);
      fs.closeSync(r);
      expect((await bad.exit).code).toBe(85);
      await bad.eventsDone;
      expect(bad.events.at(-1)).toMatchObject({ kind: 'end', status: 85, message: expect.stringMatching(/block \d+ of fragment 3 \(stream offset 19922944\) fails its checksum: blake3 [0-9a-f]{16}\.\.\., catalogue/) });
      expect(out.length).toBeLessThanOrEqual(19 * MiB);
      expect(out.equals(data.subarray(0, out.length))).toBe(true);
    });
  }, 30000);

  it('ends a restore into a real pipe with 24 when its reader goes away, also while slots are held in the pipe', async () => {
    const [r, w] = sys().pipe();
    const run = startBptm(spec({ direction: 'read', fragments, blockIndex, numberOfBuffers: 4, bufferSize: 64 * 1024 }), 'ignore', w);
    fs.closeSync(w);
    const some = Buffer.alloc(100 * 1024);
    expect(fs.readSync(r, some, 0, some.length, null)).toBeGreaterThan(0);
    await new Promise((resolve) => setTimeout(resolve, 50)); // the pipe fills, the ring's slots are held
    fs.closeSync(r);
    expect((await run.exit).code).toBe(24);
    await run.eventsDone;
    expect(run.events.at(-1)).toMatchObject({ kind: 'end', status: 24 });
    expect(fs.readdirSync(shmDir)).toEqual([]);
  }, 30000);

  it('fails a read with 85 when a fragment does not match its checksum', async () => {
    const bad = fragments.map((f, i) => (i === 2 ? { ...f, checksum: '0'.repeat(64) } : f));
    const run = startBptm(spec({ direction: 'read', fragments: bad }), 'ignore');
    expect((await run.exit).code).toBe(85);
    await run.eventsDone;
    expect(run.events.at(-1)).toMatchObject({ kind: 'end', status: 85 });
    expect(fs.readdirSync(shmDir)).toEqual([]);
  }, 30000);

  it('ends a restore with 24 when the reader of stdout goes away', async () => {
    const run = startBptm(spec({ direction: 'read', fragments }), 'ignore');
    await new Promise((r) => run.proc.stdout!.once('data', r));
    run.proc.stdout!.destroy();
    expect((await run.exit).code).toBe(24);
    await run.eventsDone;
    expect(run.events.at(-1)).toMatchObject({ kind: 'end', status: 24 });
    expect(fs.readdirSync(shmDir)).toEqual([]);
  }, 30000);

  it('ends with 89 when the buffer file cannot be created, leaving nothing', async () => {
    const run = startBptm(spec({ shmDir: path.join(dir, 'no', 'such', 'dir') }), 'pipe');
    run.proc.stdin!.on('error', () => {});
    run.proc.stdin!.end(data.subarray(0, MiB));
    expect((await run.exit).code).toBe(89);
    await run.eventsDone;
    expect(run.events.at(-1)).toMatchObject({ kind: 'end', status: 89 });
    expect(fs.readdirSync(stu)).toEqual([]);
  }, 30000);

  it('ends with 89 when the buffer does not fit in its file system, leaving nothing and no child', async () => {
    await onSmallTmpfs('256k', async (small) => {
      const specFile = spec({ shmDir: small }); // 8 x 64 KiB: twice what fits
      const run = startBptm(specFile, 'pipe');
      run.proc.stdin!.on('error', () => {});
      run.proc.stdin!.end(data.subarray(0, MiB));
      expect((await run.exit).code).toBe(89);
      await run.eventsDone;
      expect(run.events.at(-1)).toMatchObject({ kind: 'end', status: 89, message: expect.stringContaining('buffer file') });
      expect(fs.readdirSync(small)).toEqual([]);
      expect(fs.readdirSync(stu)).toEqual([]);
      await waitFor(() => !fs.readdirSync('/proc').some((p) => /^\d+$/.test(p) && alive(Number(p)) && childOf(p, specFile)), 10000, 'the child to end');
    });
  }, 30000);

  it('a storage unit that cannot be opened ends with 83 while the child starts: no child and no buffer file stay', async () => {
    // The child is started before the unit is opened (its start-up overlaps the parent's): the parent's failure must end it.
    const notADir = path.join(dir, 'not-a-directory');
    fs.writeFileSync(notADir, '');
    const specFile = spec({ unit: { label: 'disk1', type: 'disk', path: notADir, host: 'media1', concurrentJobs: 1, maxFragmentMB: 8, highWaterMark: 98, lowWaterMark: 80, onDemandOnly: false, maxMpx: 1 } });
    const run = startBptm(specFile, 'pipe');
    run.proc.stdin!.on('error', () => {});
    run.proc.stdin!.end(data.subarray(0, MiB));
    expect((await run.exit).code).toBe(83);
    await run.eventsDone;
    expect(run.events.at(-1)).toMatchObject({ kind: 'end', status: 83 });
    expect(fs.readdirSync(shmDir)).toEqual([]);
    const children = fs.readdirSync('/proc').filter((p) => /^\d+$/.test(p) && alive(Number(p)) && childOf(p, specFile));
    expect(children).toEqual([]);
  }, 30000);

  it('ends with 90 and leaves nothing when the stream is empty', async () => {
    const run = startBptm(spec({}), 'pipe');
    run.proc.stdin!.end();
    expect((await run.exit).code).toBe(90);
    await run.eventsDone;
    expect(run.events).toEqual([expect.objectContaining({ kind: 'end', status: 90, bytes: 0 })]);
    expect(fs.readdirSync(stu)).toEqual([]);
    expect(fs.readdirSync(shmDir)).toEqual([]);
  }, 30000);

  /** Starts a write, feeds 20 MiB and keeps the pipe open; resolves when the pair is running. */
  async function midStream(): Promise<{ run: Run; child: number; shm: string; id: number }> {
    const file = spec({});
    const id = jobid;
    const run = startBptm(file, 'pipe');
    run.proc.stdin!.on('error', () => {});
    run.proc.stdin!.write(data.subarray(0, 20 * MiB));
    const shm = path.join(shmDir, shmFileName(id, run.proc.pid!));
    await waitFor(() => run.events.some((e) => e.kind === 'fragment'), 15000, 'the first fragment');
    expect(fs.existsSync(shm)).toBe(true);
    const kids = childrenOf(run.proc.pid!);
    expect(kids.length).toBe(1);
    return { run, child: kids[0]!, shm, id };
  }

  it('kill -9 of the parent: the child removes the buffer file and exits', async () => {
    const { run, child, shm } = await midStream();
    process.kill(run.proc.pid!, 'SIGKILL');
    await run.exit;
    await waitFor(() => !fs.existsSync(shm), 2000, 'the buffer file to go');
    await waitFor(() => !alive(child), 2000, 'the child to exit');
    run.proc.stdin!.destroy();
    // what a dead parent leaves (partial fragments) is for bpbrm to remove
  }, 30000);

  it('kill -9 of the child: the parent reports 84, removes the buffer file and every fragment', async () => {
    const { run, child, shm } = await midStream();
    process.kill(child, 'SIGKILL');
    const { code } = await run.exit;
    await run.eventsDone;
    run.proc.stdin!.destroy();
    expect(code).toBe(84);
    expect(run.events.at(-1)).toMatchObject({ kind: 'end', status: 84 });
    expect(fs.existsSync(shm)).toBe(false);
    expect(fs.readdirSync(stu)).toEqual([]);
  }, 30000);

  it('SIGTERM: status 150, nothing left behind', async () => {
    const { run, child, shm } = await midStream();
    process.kill(run.proc.pid!, 'SIGTERM');
    const { code } = await run.exit;
    await run.eventsDone;
    run.proc.stdin!.destroy();
    expect(code).toBe(150);
    expect(fs.existsSync(shm)).toBe(false);
    expect(fs.readdirSync(stu)).toEqual([]);
    await waitFor(() => !alive(child), 2000, 'the child to exit');
  }, 30000);

  it('removeJobShmFiles removes a job’s leftovers only', () => {
    fs.writeFileSync(path.join(shmDir, shmFileName(42, 100)), '');
    fs.writeFileSync(path.join(shmDir, shmFileName(42, 101)), '');
    fs.writeFileSync(path.join(shmDir, shmFileName(421, 100)), '');
    expect(removeJobShmFiles(42, shmDir).length).toBe(2);
    expect(fs.readdirSync(shmDir)).toEqual([shmFileName(421, 100)]);
    removeJobShmFiles(421, shmDir);
  }, 30000);

  it('a full disk unit ends the backup with 129 and removes the image', async () => {
    await onSmallTmpfs('2m', async (mnt) => {
      const file = spec({ unit: { label: 'small', type: 'disk', path: mnt, host: 'media1', concurrentJobs: 1, maxFragmentMB: 1, highWaterMark: 98, lowWaterMark: 80, onDemandOnly: false, maxMpx: 1 } });
      const run = startBptm(file, 'pipe');
      run.proc.stdin!.on('error', () => {});
      await feed(run.proc.stdin!, data.subarray(0, 6 * MiB)).catch(() => {});
      expect((await run.exit).code).toBe(129);
      await run.eventsDone;
      expect(run.events.at(-1)).toMatchObject({ kind: 'end', status: 129 });
      expect(fs.readdirSync(mnt)).toEqual([]);
      expect(fs.readdirSync(shmDir)).toEqual([]);
    });
  }, 30000);
});
