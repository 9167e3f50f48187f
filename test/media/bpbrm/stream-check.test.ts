import { Readable } from 'node:stream';
import { TarBuilder } from '../../../src/archive/tar-writer.js';
import { makeEntry } from '../../../src/archive/tar-entry.js';
import { checkImageStream } from '../../../src/media/bpbrm/stream-check.js';
import { verifyOutcome } from '../../../src/media/bpbrm/verify.js';
import type { FileRecord } from '../../../src/protocol/records.js';

function record(path: string, offset: number, inImage?: number): FileRecord {
  return {
    path, type: 'f', mode: 0o644, uid: 0, gid: 0, user: '', group: '', size: 0, mtimeNs: '0', ctime: 0, atime: 0, ino: 0, dev: 0, offset, link: '',
    ...(inImage !== undefined ? { inImage } : {}),
  };
}

async function* records(list: FileRecord[]): AsyncGenerator<FileRecord> {
  yield* list;
}

const chunks = (buf: Buffer, size = 700) => {
  const out: Buffer[] = [];
  for (let i = 0; i < buf.length; i += size) out.push(buf.subarray(i, i + size));
  return Readable.from(out);
};

describe('verify stream check', () => {
  const archive = new TarBuilder()
    .add(makeEntry({ path: 'data/a', type: 'file', mode: 0o644 }), Buffer.alloc(1500, 1))
    .add(makeEntry({ path: 'data/b', type: 'file', mode: 0o644 }), Buffer.alloc(10, 2))
    .finish();
  // Offsets of the two headers: the first at 0, the second after its header, 1500 bytes and padding.
  const second = 512 + 1536;
  const catalogue = () => [record('/data/a', 0), record('/unchanged', 0, 0), record('/data/b', second)];

  it('a stream matching its catalogue (records not in the image skipped) is 0 and read to the end', async () => {
    const r = await checkImageStream(chunks(archive), records(catalogue()));
    expect(r).toEqual({ status: 0, entries: 2, expected: 2, bytes: archive.length });
  });

  it('an entry the catalogue places elsewhere, or a missing one, is 92', async () => {
    const moved = await checkImageStream(chunks(archive), records([record('/data/a', 0), record('/data/b', 512)]));
    expect(moved.status).toBe(92);
    expect(moved.message).toMatch(/does not match/);
    const extra = await checkImageStream(chunks(archive), records([...catalogue(), record('/data/c', 9999)]));
    expect(extra.status).toBe(92);
    expect(extra.message).toMatch(/ends before it/);
    const fewer = await checkImageStream(chunks(archive), records([record('/data/a', 0)]));
    expect(fewer.status).toBe(92);
  });

  it('bytes that are not tar are 92, and are still read to the end', async () => {
    const junk = Buffer.alloc(20000, 0x41);
    const r = await checkImageStream(chunks(junk), records(catalogue()));
    expect(r.status).toBe(92);
    expect(r.bytes).toBe(junk.length);
  });

  it('the media side (checksum, missing fragment) decides before the stream', () => {
    expect(verifyOutcome(0, 0)).toBe(0);
    expect(verifyOutcome(85, 92)).toBe(85);
    expect(verifyOutcome(83, 0)).toBe(83);
    expect(verifyOutcome(0, 92)).toBe(92);
  });
});
