import { Readable } from 'node:stream';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import tarStream from 'tar-stream';
import { TarBuilder, encodeArchiveEnd, encodeEntryHeader, paxRecordsFor } from '../../src/archive/tar-writer.js';
import { TarReader, isUnsupported, type ReadEntry } from '../../src/archive/tar-reader.js';
import { makeEntry, RECORD, type TarEntry } from '../../src/archive/tar-entry.js';

async function readAll(buf: Buffer, chunk = 1000): Promise<Array<{ entry: TarEntry; offset: number; body: Buffer }>> {
  const chunks: Buffer[] = [];
  for (let i = 0; i < buf.length; i += chunk) chunks.push(buf.subarray(i, i + chunk));
  const reader = new TarReader(Readable.from(chunks));
  const out: Array<{ entry: TarEntry; offset: number; body: Buffer }> = [];
  for (;;) {
    const r = await reader.next();
    if (r === null) break;
    if (isUnsupported(r)) throw new Error(`unsupported ${r.unsupported}`);
    const parts: Buffer[] = [];
    for await (const b of reader.body()) parts.push(Buffer.from(b));
    out.push({ entry: (r as ReadEntry).entry, offset: r.offset, body: Buffer.concat(parts) });
  }
  return out;
}

describe('pax writer and streaming reader', () => {
  const t = 1_700_000_000_123_456_789n;
  const entries: Array<[TarEntry, Buffer?]> = [
    [makeEntry({ path: 'dir', type: 'directory', mode: 0o2775, mtimeNs: t })],
    [makeEntry({ path: 'dir/plain', type: 'file', mode: 0o4755, uid: 1, gid: 2, uname: 'u', gname: 'g', mtimeNs: 1_000_000_000n }), Buffer.from('plain\n')],
    [makeEntry({ path: `dir/${'long/'.repeat(60)}name`, type: 'file', mtimeNs: t }), Buffer.alloc(513, 7)],
    [makeEntry({ path: 'bin\xff\xfe/\x80name', type: 'file', uname: 'us\xe9r', mtimeNs: t }), Buffer.from('binary name')],
    [makeEntry({ path: 'link', type: 'symlink', linkpath: `/target/${'x'.repeat(200)}\xff`, mtimeNs: t })],
    [makeEntry({ path: 'hard', type: 'hardlink', linkpath: 'dir/plain', mtimeNs: t })],
    [makeEntry({ path: 'fifo', type: 'fifo', mode: 0o600, mtimeNs: t })],
    [makeEntry({ path: 'dev', type: 'char', devmajor: 1, devminor: 3, mtimeNs: t })],
    [makeEntry({ path: 'bigids', type: 'file', uid: 3_000_000_000, gid: 4_000_000_000, uname: 'n'.repeat(40), mtimeNs: -1_500_000_000n }), Buffer.alloc(0)],
  ];

  it('round-trips every field through any chunking', async () => {
    const b = new TarBuilder();
    for (const [e, body] of entries) b.add(e, body);
    const archive = b.finish();
    expect(archive.length % RECORD).toBe(0);
    for (const chunk of [1, 511, 512, 4096, archive.length]) {
      const got = await readAll(archive, chunk);
      expect(got.map((g) => g.entry.path)).toEqual(entries.map(([e]) => e.path));
      got.forEach((g, i) => {
        const [e, body] = entries[i]!;
        expect(g.entry).toEqual({ ...e, size: body?.length ?? 0 });
        expect(g.body.equals(body ?? Buffer.alloc(0))).toBe(true);
      });
    }
  });

  it('reports the offset of the first header block of each entry', async () => {
    const b = new TarBuilder();
    const offsets: number[] = [];
    let at = 0;
    for (const [e, body] of entries) {
      offsets.push(at);
      at += encodeEntryHeader({ ...e, size: body?.length ?? 0 }).length + Math.ceil((body?.length ?? 0) / 512) * 512;
      b.add(e, body);
    }
    const got = await readAll(b.finish());
    expect(got.map((g) => g.offset)).toEqual(offsets);
  });

  it('uses pax only when ustar cannot hold a field, with hdrcharset=BINARY for non-UTF-8', () => {
    expect(paxRecordsFor(makeEntry({ path: 'a', type: 'file', mtimeNs: 5_000_000_000n }))).toEqual([]);
    const keys = (e: TarEntry) => paxRecordsFor(e).map(([k]) => k);
    expect(keys(makeEntry({ path: 'a', type: 'file', mtimeNs: 5_000_000_001n }))).toEqual(['mtime']);
    expect(keys(makeEntry({ path: 'caf\xc3\xa9', type: 'file' }))).toEqual(['path']);
    expect(keys(makeEntry({ path: 'bad\xff', type: 'file' }))).toEqual(['hdrcharset', 'path']);
    expect(keys(makeEntry({ path: 'a', type: 'file', size: 9 * 1024 ** 3 }))).toEqual(['size']);
  });

  it('writes a size record for files over 8 GiB and reads it back', async () => {
    const header = encodeEntryHeader(makeEntry({ path: 'huge', type: 'file', size: 9 * 1024 ** 3 }));
    const reader = new TarReader(Readable.from([header]));
    const r = (await reader.next()) as ReadEntry;
    expect(r.entry.size).toBe(9 * 1024 ** 3);
  });

  it('pads the end to a multiple of 10240 after two zero blocks', () => {
    expect(encodeArchiveEnd(0).length).toBe(RECORD);
    expect(encodeArchiveEnd(512).length).toBe(RECORD - 512);
    expect(encodeArchiveEnd(RECORD - 1024).length).toBe(1024);
    expect(encodeArchiveEnd(RECORD - 512).length).toBe(1024 + RECORD - 512);
  });

  it('reads archives written by tar-stream (ustar + pax)', async () => {
    const pack = tarStream.pack();
    pack.entry({ name: 'x/'.padEnd(1, 'x') + 'file', mode: 0o640, mtime: new Date(1_600_000_000_000) }, 'from tar-stream');
    pack.entry({ name: `${'deep/'.repeat(40)}f`, mode: 0o600 }, 'long');
    pack.entry({ name: 'sym', type: 'symlink', linkname: 'file' });
    pack.finalize();
    const parts: Buffer[] = [];
    for await (const c of pack) parts.push(c as Buffer);
    const got = await readAll(Buffer.concat(parts));
    expect(got.map((g) => [g.entry.path, g.entry.type, g.body.toString()])).toEqual([
      ['x/file', 'file', 'from tar-stream'],
      [`${'deep/'.repeat(40)}f`, 'file', 'long'],
      ['sym', 'symlink', ''],
    ]);
    expect(got[0]!.entry.mtimeNs).toBe(1_600_000_000n * 1_000_000_000n);
  });

  it('reads GNU tar archives (GNU long names and pax)', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'obp-gnu-'));
    try {
      const long = 'n'.repeat(150);
      fs.writeFileSync(path.join(dir, long), 'gnu');
      for (const format of ['gnu', 'posix']) {
        const archive = execFileSync('tar', [`--format=${format}`, '-C', dir, '-cf', '-', long]);
        const got = await readAll(archive);
        expect(got.map((g) => [g.entry.path, g.body.toString()])).toEqual([[long, 'gnu']]);
      }
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('fails cleanly on a truncated body', async () => {
    const archive = new TarBuilder().add(makeEntry({ path: 'f', type: 'file' }), Buffer.alloc(5000, 1)).finish();
    await expect(readAll(archive.subarray(0, 2048))).rejects.toThrow(/unexpected end/);
  });
});
