import fs from 'node:fs';
import type { Home } from '../../../src/config/home.js';
import { decodeBlock } from '../../../src/formats/files-file.js';
import { FileListings } from '../../../src/master/bpdbm/file-listings.js';
import { listFiles } from '../../../src/master/bpdbm/file-queries.js';
import { ImageStore } from '../../../src/master/bpdbm/image-store.js';
import { OpenbpError } from '../../../src/protocol/errors.js';
import type { FileRecord } from '../../../src/protocol/records.js';
import { file, image, tempHome } from './fixtures.js';

let home: Home;
beforeEach(() => {
  home = tempHome('openbp-listings');
});
afterEach(() => fs.rmSync(home.root, { recursive: true, force: true }));

function connection() {
  let close!: () => void;
  let closed = false;
  const ctx = { closed: new Promise<void>((r) => (close = () => { closed = true; r(); })), isClosed: () => closed };
  return { ctx, close };
}

/** Every page of a listing: [backupid, path] pairs in order, and the number of pages. */
function pages(listings: FileListings, q: Parameters<FileListings['page']>[0], ctx = connection().ctx): { rows: string[]; pages: number } {
  const rows: string[] = [];
  let n = 0;
  let cursor: string | undefined;
  do {
    const p = listings.page({ ...q, ...(cursor !== undefined ? { cursor } : {}) }, ctx);
    n++;
    for (const r of p.runs) for (const e of decodeBlock(Buffer.from(r.entries, 'base64'), r.count)) rows.push(`${r.backupid}:${e.path}:${e.mode.toString(8)}`);
    cursor = p.next;
  } while (cursor !== undefined);
  return { rows, pages: n };
}

describe('bpdbm file listings (paged)', () => {
  const store = () => new ImageStore(home.images, () => {});

  function bigImage(s: ImageStore, t: number): FileRecord[] {
    s.createImage(image('h', t));
    const batch: FileRecord[] = [file('/data/keep', 'd')];
    for (let i = 0; i < 30; i++) {
      batch.push(file(`/data/keep/d${i}`, 'd'));
      for (let j = 0; j < 400; j++) batch.push(file(`/data/keep/d${i}/f${j}`, 'f', { offset: (i * 400 + j) * 1024 }));
    }
    // A later selection covering an ancestor that was synthesised: listed once, with its own entry.
    batch.push(file('/data', 'd', { mode: 0o40700 }), file('/data/late.txt'));
    for (let i = 0; i < batch.length; i += 1000) s.addFiles(`h_${t}`, batch.slice(i, i + 1000));
    s.commitImage({ backupid: `h_${t}`, kbytes: 1, numFiles: batch.length, elapsed: 1, backupStatus: 0 });
    return batch;
  }

  it('pages a recursive listing that equals the collected one, one ancestor entry replaced by its own', () => {
    const s = store();
    bigImage(s, 1_700_000_000);
    const listings = new FileListings(s);
    const q = { client: 'h', path: '/', depth: -1, pageSize: 1000 };
    const got = pages(listings, q);
    const whole = listFiles(s, q).map((f) => `${f.backupid}:${f.file.path}:${f.file.mode.toString(8)}`);
    expect(got.pages).toBeGreaterThan(3);
    expect(got.rows).toEqual(whole);
    expect(got.rows.filter((r) => r.endsWith(':/data:40700'))).toHaveLength(1);
    expect(got.rows.filter((r) => r.includes(':/data:'))).toHaveLength(1);
    expect(got.rows).toHaveLength(1 + 1 + 1 + 30 * 401 + 1);
    // one directory through the index, one page
    expect(pages(listings, { client: 'h', path: '/data/keep/d7' }).rows).toHaveLength(401);
  });

  it('answers 227 for a path no image holds, refuses an unknown cursor, and forgets a listing whose connection closed', async () => {
    const s = store();
    bigImage(s, 1_700_000_000);
    const listings = new FileListings(s);
    const none = (() => {
      try {
        listings.page({ client: 'h', path: '/nothing' }, connection().ctx);
      } catch (e) {
        return (e as OpenbpError).status;
      }
      return 0;
    })();
    expect(none).toBe(227);
    expect(() => listings.page({ client: 'h', path: '/', cursor: 'feedfeed' }, connection().ctx)).toThrow(/not open/);
    const conn = connection();
    const first = listings.page({ client: 'h', path: '/', depth: -1, pageSize: 100 }, conn.ctx);
    expect(first.next).toBeDefined();
    conn.close();
    await new Promise((r) => setImmediate(r));
    expect(() => listings.page({ client: 'h', path: '/', depth: -1, cursor: first.next! }, conn.ctx)).toThrow(/not open/);
    listings.close();
  });
});
