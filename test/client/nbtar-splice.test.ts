// nbtar's large-file path: bodies moved from a real pipe straight into the file (splice), the read+write path
// for inputs that are no pipe, and what a failure or a kill in the middle of such a body leaves behind.

import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import crypto from 'node:crypto';
import { sys } from '../../src/native/sys.js';
import { TarBuilder } from '../../src/archive/tar-writer.js';
import { makeEntry, type TarEntry } from '../../src/archive/tar-entry.js';
import { TarReader, isUnsupported } from '../../src/archive/tar-reader.js';
import { FdChunks } from '../../src/archive/fd-chunks.js';
import { startNbtar } from './run-client.js';

const MiB = 1024 * 1024;
const T = 1_650_000_000_123_456_789n;

let dir: string;
beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'obp-splice-'));
});
afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

/** Writes data[0..until) into a pipe's write end from the thread pool (it blocks there while the pipe is full). */
async function feed(fd: number, data: Buffer, until = data.length): Promise<void> {
  for (let off = 0; off < until; ) {
    off += await new Promise<number>((resolve, reject) =>
      fs.write(fd, data, off, Math.min(256 * 1024, until - off), null, (e, n) => (e ? reject(e) : resolve(n))),
    );
  }
}

/** An FdChunks that counts what went by splice. */
class CountingChunks extends FdChunks {
  moved = 0;

  override async moveTo(outFd: number, n: number): Promise<number | null> {
    const m = await super.moveTo(outFd, n);
    this.moved += m ?? 0;
    return m;
  }
}

const big = crypto.randomBytes(3 * MiB + 777);
const small = (tag: string) => Buffer.from(`${tag} `.repeat(300));

function threeFiles(): Buffer {
  return new TarBuilder()
    .add(makeEntry({ path: 'd/a', type: 'file', mtimeNs: T }), small('a'))
    .add(makeEntry({ path: 'd/big', type: 'file', mtimeNs: T }), big)
    .add(makeEntry({ path: 'd/c', type: 'file', mtimeNs: T }), small('c'))
    .finish();
}

/** Reads the archive from `input`, moving d/big into `bigFd` with moveBodyTo; returns the other bodies by path. */
async function readWithMove(input: FdChunks, bigFd: number): Promise<{ bodies: Map<string, Buffer>; moveError?: NodeJS.ErrnoException }> {
  const reader = new TarReader(input);
  const bodies = new Map<string, Buffer>();
  let moveError: NodeJS.ErrnoException | undefined;
  for (;;) {
    const r = await reader.next();
    if (r === null) break;
    if (isUnsupported(r)) throw new Error(`unexpected ${r.unsupported}`);
    if (r.entry.path === 'd/big') {
      try {
        await reader.moveBodyTo(bigFd);
      } catch (e) {
        moveError = e as NodeJS.ErrnoException;
      }
      continue;
    }
    const parts: Buffer[] = [];
    for await (const b of reader.body()) parts.push(Buffer.from(b));
    bodies.set(r.entry.path, Buffer.concat(parts));
  }
  await reader.drain();
  return { bodies, ...(moveError ? { moveError } : {}) };
}

describe('TarReader.moveBodyTo', () => {
  it('moves a body straddling read chunks from a real pipe: buffered bytes written, the rest spliced, the next entry intact', async () => {
    const [r, w] = sys().pipe();
    const input = new CountingChunks(r, 64 * 1024); // small reads: the body starts inside one chunk and spans many
    const out = path.join(dir, 'big');
    const fd = fs.openSync(out, 'w');
    try {
      const fed = feed(w, threeFiles()).finally(() => fs.closeSync(w));
      const { bodies, moveError } = await readWithMove(input, fd);
      await fed;
      expect(moveError).toBeUndefined();
      expect(input.moved).toBeGreaterThan(0);
      expect(input.moved).toBeLessThan(big.length); // what the reader held already went by write(2)
      expect(bodies.get('d/a')).toEqual(small('a'));
      expect(bodies.get('d/c')).toEqual(small('c'));
    } finally {
      fs.closeSync(fd);
      fs.closeSync(r);
    }
    expect(fs.readFileSync(out).equals(big)).toBe(true);
  });

  it('a write that fails mid-body (ENOSPC) is thrown after the body, and the stream stays in step', async () => {
    const [r, w] = sys().pipe();
    const full = fs.openSync('/dev/full', 'w');
    try {
      const fed = feed(w, threeFiles()).finally(() => fs.closeSync(w));
      const { bodies, moveError } = await readWithMove(new FdChunks(r, 64 * 1024), full);
      await fed;
      expect(moveError?.code).toBe('ENOSPC');
      expect(bodies.get('d/c')).toEqual(small('c'));
    } finally {
      fs.closeSync(full);
      fs.closeSync(r);
    }
  });

  it('an input that is no pipe (a regular file) is read and written, not spliced', async () => {
    const file = path.join(dir, 'archive.tar');
    fs.writeFileSync(file, threeFiles());
    const inFd = fs.openSync(file, 'r');
    const out = path.join(dir, 'big');
    const fd = fs.openSync(out, 'w');
    const input = new CountingChunks(inFd);
    try {
      expect(input.movable).toBe(false);
      const { bodies, moveError } = await readWithMove(input, fd);
      expect(moveError).toBeUndefined();
      expect(input.moved).toBe(0);
      expect(bodies.get('d/c')).toEqual(small('c'));
    } finally {
      fs.closeSync(fd);
      fs.closeSync(inFd);
    }
    expect(fs.readFileSync(out).equals(big)).toBe(true);
  });
});

describe('nbtar with a large file', () => {
  const body = crypto.randomBytes(5 * MiB + 123);
  const entry: TarEntry = makeEntry({ path: 'data/big.bin', type: 'file', mode: 0o640, mtimeNs: T, extra: { 'SCHILY.xattr.user.note': 'kept' } });
  const archive = new TarBuilder()
    .add(makeEntry({ path: 'data', type: 'directory', mode: 0o750, mtimeNs: T }))
    .add(entry, body)
    .add(makeEntry({ path: 'data/after.txt', type: 'file', mtimeNs: T }), Buffer.from('after'))
    .finish();
  const spec = () => ({ jobid: 1, selections: ['/data'], renames: [['/data', `${dir}/out`]], keepExisting: false, restoreOwnership: false });
  const dest = () => path.join(dir, 'out', 'big.bin');

  function expectRestored(): void {
    expect(fs.readFileSync(dest()).equals(body)).toBe(true);
    const st = fs.lstatSync(dest(), { bigint: true });
    expect(Number(st.mode) & 0o7777).toBe(0o640);
    expect(st.mtimeNs).toBe(T);
    expect(sys().lgetxattr(Buffer.from(dest()), Buffer.from('user.note'))?.toString()).toBe('kept');
    expect(fs.readFileSync(path.join(dir, 'out', 'after.txt'), 'utf8')).toBe('after');
    expect(fs.readdirSync(path.join(dir, 'out')).sort()).toEqual(['after.txt', 'big.bin']); // no temp left
  }

  it('restores it byte-identical with its attributes from a real pipe', async () => {
    const [r, w] = sys().pipe();
    const run = startNbtar(dir, spec(), r);
    fs.closeSync(r);
    await feed(w, archive).finally(() => fs.closeSync(w));
    const res = await run.done;
    expect([res.status, res.stderr]).toEqual([0, '']);
    expectRestored();
  });

  it('restores it the same from stdin that is a regular file', async () => {
    const file = path.join(dir, 'archive.tar');
    fs.writeFileSync(file, archive);
    const fd = fs.openSync(file, 'r');
    const run = startNbtar(dir, spec(), fd);
    fs.closeSync(fd);
    const res = await run.done;
    expect([res.status, res.stderr]).toEqual([0, '']);
    expectRestored();
  });

  it('a stream that ends mid-body leaves no file under the final name and no temp', async () => {
    const [r, w] = sys().pipe();
    const run = startNbtar(dir, spec(), r);
    fs.closeSync(r);
    await feed(w, archive, 3 * MiB).finally(() => fs.closeSync(w));
    const res = await run.done;
    expect(res.status).toBe(1); // the directory was restored, the file was not
    expect(res.events.some((e) => e.kind === 'warning' && /damaged/.test(String(e.message)))).toBe(true);
    expect(fs.readdirSync(path.join(dir, 'out'))).toEqual([]);
  });

  it('nbtar killed mid-body leaves no file under the final name', async () => {
    const [r, w] = sys().pipe();
    const run = startNbtar(dir, spec(), r);
    fs.closeSync(r);
    try {
      await feed(w, archive, 3 * MiB); // more than the pipe holds: nbtar has taken some of the body when this returns
      const out = path.join(dir, 'out');
      for (let i = 0; i < 500 && !(fs.existsSync(out) && fs.readdirSync(out).some((n) => n.startsWith('.obp'))); i++) {
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
      expect(fs.readdirSync(out).some((n) => n.startsWith('.obp'))).toBe(true); // it is inside the body
      run.child.kill('SIGKILL');
      const res = await run.done;
      expect(res.status).toBeNull();
      expect(fs.existsSync(dest())).toBe(false);
    } finally {
      fs.closeSync(w);
    }
  });
});
