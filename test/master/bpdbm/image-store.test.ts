import fs from 'node:fs';
import path from 'node:path';
import type { Home } from '../../../src/config/home.js';
import { ImageStore } from '../../../src/master/bpdbm/image-store.js';
import { listFiles, resolveRestore, streamRange } from '../../../src/master/bpdbm/file-queries.js';
import { FilesReader, decodeBlock, encodeEntries as encodeBlock, type FilesEntryInput } from '../../../src/formats/files-file.js';
import { createBpdbm, pendingImages } from '../../../src/master/bpdbm/routes.js';
import { bpdbm } from '../../../src/protocol/bpdbm.js';
import { readBaseFiles } from '../../../src/client/bpbkar/base-files.js';
import { file, fragment, image, statusOf, tempHome } from './fixtures.js';
import type { FileRecord } from '../../../src/protocol/records.js';

let home: Home;
const log = () => {};
beforeEach(() => {
  home = tempHome('openbp-bpdbm');
});
afterEach(() => fs.rmSync(home.root, { recursive: true, force: true }));


function backup(store: ImageStore, client: string, t: number, paths: string[]) {
  store.createImage(image(client, t));
  store.addFiles(`${client}_${t}`, paths.map((p) => file(p, p.endsWith('/') ? 'd' : 'f')).map((f) => ({ ...f, path: f.path.replace(/\/$/, '') || '/' })));
  store.addFragment(`${client}_${t}`, fragment(1));
  return store.commitImage({ backupid: `${client}_${t}`, kbytes: 3, numFiles: paths.length, elapsed: 2, backupStatus: 0 });
}

describe('image store', () => {
  it('lists a committed image with its counts and the files under the NetBackup layout', () => {
    const store = new ImageStore(home.images, log);
    const img = backup(store, 'host1', 1_700_000_123, ['/', '/etc/', '/etc/passwd', '/etc/group']);
    expect(img).toMatchObject({ kbytes: 3, numFiles: 4, elapsed: 2, numFragments: 1, copies: 1 });
    const dir = path.join(home.images, 'host1', '1700000000');
    expect(fs.readdirSync(dir).sort()).toEqual(['openbp-default_1700000123_UBAK', 'openbp-default_1700000123_UBAK.f']);
    expect(store.listImages({})).toEqual([img]);
    // A new store (bpdbm restarted) reads the same catalogue back.
    const again = new ImageStore(home.images, log);
    expect(again.listImages({ client: 'host1' })).toEqual([img]);
    expect(listFiles(again, { client: 'host1', path: '/etc' }).map((f) => f.file.path)).toEqual(['/etc', '/etc/passwd', '/etc/group']);
  });

  it('keeps a pending image out of listings; abort returns its fragments and removes its files', () => {
    const store = new ImageStore(home.images, log);
    store.createImage(image('host1', 1_700_000_200));
    store.addFiles('host1_1700000200', [file('/a')]);
    store.addFragment('host1_1700000200', fragment(1));
    store.addFragment('host1_1700000200', fragment(2));
    expect(store.listImages({})).toEqual([]);
    expect(store.listImages({ includeIncomplete: true }).map((i) => i.backupid)).toEqual(['host1_1700000200']);
    expect(statusOf(() => listFiles(store, { client: 'host1', path: '/' }))).toBe(227);
    const frags = store.abortImage('host1_1700000200');
    expect(frags.map((f) => f.fragment)).toEqual([1, 2]);
    expect(fs.readdirSync(path.join(home.images, 'host1', '1700000000'))).toEqual([]);
    expect(statusOf(() => store.abortImage('host1_1700000200'))).toBe(227);
  });

  it('a crash before commit leaves the image unlisted, pending, and abortable with its fragments', () => {
    const store = new ImageStore(home.images, log);
    backup(store, 'host1', 1_700_000_100, ['/a']);
    store.createImage(image('host1', 1_700_000_300));
    store.addFiles('host1_1700000300', [file('/b')]);
    store.addFragment('host1_1700000300', fragment(1));
    // Dropped without commit or close: as after SIGKILL.
    const after = new ImageStore(home.images, log);
    expect(after.listImages({}).map((i) => i.backupid)).toEqual(['host1_1700000100']);
    expect(after.pendingImages().map((i) => i.backupid)).toEqual(['host1_1700000300']);
    expect(pendingImages(home).map((i) => i.backupid)).toEqual(['host1_1700000300']);
    expect(statusOf(() => after.addFiles('host1_1700000300', [file('/c')]))).toBe(220);
    expect(statusOf(() => after.commitImage({ backupid: 'host1_1700000300', kbytes: 0, numFiles: 0, elapsed: 0, backupStatus: 0 }))).toBe(220);
    expect(after.abortImage('host1_1700000300').map((f) => f.fragment)).toEqual([1]);
    expect(new ImageStore(home.images, log).pendingImages()).toEqual([]);
  });

  it('a crash after the final header but before the pending header is removed counts as committed', () => {
    const store = new ImageStore(home.images, log);
    const img = backup(store, 'host1', 1_700_000_400, ['/a']);
    const dir = path.join(home.images, 'host1', '1700000000');
    fs.copyFileSync(path.join(dir, 'openbp-default_1700000400_UBAK'), path.join(dir, 'openbp-default_1700000400_UBAK.pending'));
    const after = new ImageStore(home.images, log);
    expect(after.listImages({})).toEqual([img]);
    expect(after.pendingImages()).toEqual([]);
    expect(fs.existsSync(path.join(dir, 'openbp-default_1700000400_UBAK.pending'))).toBe(false);
  });

  it('refuses duplicate and mismatched backup ids, unsafe names and unknown images', () => {
    const store = new ImageStore(home.images, log);
    backup(store, 'host1', 1_700_000_100, ['/a']);
    expect(statusOf(() => store.createImage(image('host1', 1_700_000_100)))).toBe(133);
    expect(statusOf(() => store.createImage({ ...image('host1', 1_700_000_500), backupid: 'x_1' }))).toBe(133);
    expect(statusOf(() => store.createImage(image('../evil', 1_700_000_500)))).toBe(133);
    expect(statusOf(() => store.addFiles('nobody_1700000000', []))).toBe(227);
    expect(statusOf(() => store.abortImage('host1_1700000100'))).toBe(133);
  });

  it('filters listings by client, policy, backup id and time, newest first', () => {
    const store = new ImageStore(home.images, log);
    backup(store, 'a', 1_700_000_100, ['/x']);
    backup(store, 'a', 1_700_100_000, ['/x']);
    backup(store, 'b', 1_700_050_000, ['/x']);
    expect(store.listImages({}).map((i) => i.backupid)).toEqual(['a_1700100000', 'b_1700050000', 'a_1700000100']);
    expect(store.listImages({ client: 'a' }).map((i) => i.backupid)).toEqual(['a_1700100000', 'a_1700000100']);
    expect(store.listImages({ since: 1_700_000_101, until: 1_700_099_999 }).map((i) => i.backupid)).toEqual(['b_1700050000']);
    expect(store.listImages({ backupid: 'a_1700000100' })).toHaveLength(1);
    expect(store.listImages({ policy: 'other' })).toEqual([]);
  });
});

describe('file queries', () => {
  function twoBackups() {
    const store = new ImageStore(home.images, log);
    backup(store, 'h', 1_700_000_100, ['/', '/home/', '/home/u/', '/home/u/old.txt', '/home/u/both.txt', '/etc/', '/etc/hosts']);
    backup(store, 'h', 1_700_000_200, ['/', '/home/', '/home/u/', '/home/u/both.txt', '/home/u/new.txt', '/home/u/sub/', '/home/u/sub/deep']);
    return store;
  }

  it('lists from the newest image holding the path, by depth, one image or all versions', () => {
    const store = twoBackups();
    const paths = (q: Parameters<typeof listFiles>[1]) => listFiles(store, q).map((f) => `${f.backupTime % 1000}:${f.file.path}`);
    expect(paths({ client: 'h', path: '/home/u' })).toEqual(['200:/home/u', '200:/home/u/both.txt', '200:/home/u/new.txt', '200:/home/u/sub']);
    expect(paths({ client: 'h', path: '/home/u/', depth: 0 })).toEqual(['200:/home/u']);
    expect(paths({ client: 'h', path: '/home', depth: -1 })).toHaveLength(6);
    expect(paths({ client: 'h', path: '/etc/hosts' })).toEqual(['100:/etc/hosts']);
    expect(paths({ client: 'h', path: '/home/u', until: 1_700_000_150 })).toEqual(['100:/home/u', '100:/home/u/old.txt', '100:/home/u/both.txt']);
    expect(paths({ client: 'h', path: '/home/u/both.txt', allVersions: true })).toEqual(['200:/home/u/both.txt', '100:/home/u/both.txt']);
    expect(paths({ client: 'h', path: '/home/u', backupid: 'h_1700000100', depth: 0 })).toEqual(['100:/home/u']);
    expect(paths({ client: 'h', path: '/HOME/U/NEW.TXT', caseInsensitive: true })).toEqual(['200:/home/u/new.txt']);
    expect(statusOf(() => listFiles(store, { client: 'h', path: '/nothing' }))).toBe(227);
    expect(statusOf(() => listFiles(store, { client: 'other', path: '/' }))).toBe(227);
    expect(statusOf(() => listFiles(store, { client: 'h', path: '/', backupid: 'h_1' }))).toBe(227);
    expect(statusOf(() => listFiles(store, { client: 'h', path: '/', policyType: 13 }))).toBe(227);
  });

  it('resolves a restore to the newest image per path and counts entries once', () => {
    const store = twoBackups();
    const r = resolveRestore(store, { client: 'h', paths: ['/home/u', '/home/u/sub', '/etc/hosts', '/missing'] });
    expect(r.missing).toEqual(['/missing']);
    expect(r.plans.map((p) => [p.image.backupid, p.paths, p.entries])).toEqual([
      ['h_1700000200', ['/home/u', '/home/u/sub'], 5],
      ['h_1700000100', ['/etc/hosts'], 1],
    ]);
    const old = resolveRestore(store, { client: 'h', paths: ['/home/u/old.txt'], until: 1_700_000_150 });
    expect(old.plans[0]!.image.backupid).toBe('h_1700000100');
    expect(resolveRestore(store, { client: 'h', paths: ['/home/u/old.txt'], since: 1_700_000_150 }).missing).toEqual(['/home/u/old.txt']);
  });

  it('records the ancestors of a selection as directories not in the image, once', () => {
    const store = new ImageStore(home.images, log);
    store.createImage(image('s', 1_700_000_000));
    store.addFiles('s_1700000000', [file('/home/u/docs', 'd', { uid: 7, user: 'u' }), file('/home/u/docs/a.txt')]);
    store.addFiles('s_1700000000', [file('/home/v/x.txt'), file('/home', 'd', { mode: 0o40711 })]);
    store.commitImage({ backupid: 's_1700000000', kbytes: 1, numFiles: 4, elapsed: 1, backupStatus: 0 });
    const ls = (p: string, depth?: number) => listFiles(store, { client: 's', path: p, ...(depth !== undefined ? { depth } : {}) }).map((f) => f.file);
    expect(ls('/').map((f) => f.path)).toEqual(['/', '/home']);
    expect(ls('/', -1).map((f) => f.path)).toEqual(['/', '/home', '/home/u', '/home/u/docs', '/home/u/docs/a.txt', '/home/v', '/home/v/x.txt']);
    expect(ls('/home', 0)[0]!.mode).toBe(0o40711);
    expect(ls('/home/u', 0)[0]).toMatchObject({ type: 'd', mode: 0o40755, user: 'u', uid: 7 });
    expect(resolveRestore(store, { client: 's', paths: ['/home'] }).plans[0]!.entries).toBe(4);
  });

  it('lists one directory of a 200k-entry image by reading only its blocks, through the index', () => {
    const store = new ImageStore(home.images, log);
    store.createImage(image('big', 1_700_000_000));
    const batch = [];
    batch.push(file('/', 'd'), file('/data', 'd'));
    for (let i = 0; i < 200; i++) {
      batch.push(file(`/data/d${i}`, 'd'));
      for (let j = 0; j < 1000; j++) batch.push(file(`/data/d${i}/f${j}`, 'f', { ino: i * 1000 + j, offset: (i * 1000 + j) * 1536 }));
    }
    for (let i = 0; i < batch.length; i += 5000) store.addFiles('big_1700000000', batch.slice(i, i + 5000));
    store.commitImage({ backupid: 'big_1700000000', kbytes: 1, numFiles: batch.length, elapsed: 1, backupStatus: 0 });
    expect(listFiles(store, { client: 'big', path: '/data/d123' })).toHaveLength(1001);
    // The lookup's reads, counted by the reader: the directory's 1001 entries lie in a few consecutive
    // blocks of the hundreds the file has, found through the index; never a scan of the file.
    const scan = store.openFiles('big_1700000000');
    const lookup = store.openFiles('big_1700000000');
    try {
      expect([...scan.entries()]).toHaveLength(batch.length);
      expect(lookup.list('/data/d123', 1)).toHaveLength(1001);
      expect(lookup.blockCount).toBeGreaterThan(100);
      expect(lookup.reads.count).toBeGreaterThan(0);
      expect(lookup.reads.count).toBeLessThan(20);
      expect(lookup.reads.bytes).toBeLessThan(scan.reads.bytes / 20);
    } finally {
      scan.close();
      lookup.close();
    }
    const r = resolveRestore(store, { client: 'big', paths: ['/data/d7'] });
    expect(r.plans[0]!.entries).toBe(1001);
    // A one-file restore's stream range ends at the next file's header, found by reading on from the
    // file's block (a few reads), not by a scan of the whole .f.
    const one = resolveRestore(store, { client: 'big', paths: ['/data/d123/f5'] }).plans[0]!;
    expect([one.rangeStart, one.rangeEnd]).toEqual([(123000 + 5) * 1536, (123000 + 6) * 1536]);
    const last = resolveRestore(store, { client: 'big', paths: ['/data/d199/f999'] }).plans[0]!;
    expect([last.rangeStart, last.rangeEnd]).toEqual([(199000 + 999) * 1536, -1]);
    const ranged = store.openFiles('big_1700000000');
    try {
      expect(streamRange(ranged, ['/data/d123/f5'], [])).toEqual({ rangeStart: (123000 + 5) * 1536, rangeEnd: (123000 + 6) * 1536 });
      expect(ranged.reads.count).toBeLessThan(20);
    } finally {
      ranged.close();
    }
  });
});

describe('streamRange of a subtree', () => {
  it('spans its entries in the image from their skims, and reaches back to the target of a hard link in it', () => {
    const store = new ImageStore(home.images, log);
    store.createImage(image('hl', 1_700_000_000));
    const batch: FileRecord[] = [file('/', 'd', { inImage: 0 }), file('/a', 'd', { offset: 0 }), file('/a/t', 'f', { offset: 512 })];
    // Enough files under /b for whole blocks (matched from their skims, not decoded) between partial ones.
    for (let i = 0; i < 3000; i++) batch.push(file(`/b/f${String(i).padStart(5, '0')}`, 'f', { ino: 10 + i, offset: 4096 + i * 1024 }));
    batch.splice(3, 0, file('/b', 'd', { offset: 2048 }));
    // The link in the middle of /b: in a block that matches whole.
    batch.splice(4 + 1501, 0, file('/b/f01500h', 'h', { link: '/a/t', offset: 4096 + 1500 * 1024 + 512 }));
    batch.push(file('/c', 'f', { offset: 9_000_000 }));
    store.addFiles('hl_1700000000', batch);
    store.commitImage({ backupid: 'hl_1700000000', kbytes: 1, numFiles: batch.length, elapsed: 1, backupStatus: 0 });
    const r = store.openFiles('hl_1700000000');
    try {
      expect(r.blockCount).toBeGreaterThan(3);
      // /b's entries, and the hard link's target /a/t before them; up to /c's header.
      expect(streamRange(r, ['/b'], [])).toEqual({ rangeStart: 512, rangeEnd: 9_000_000 });
      expect(r.countSubtree('/b')).toBe(3002);
      // Without the link: /b from its own header.
      expect(streamRange(r, ['/b/f00007'], [])).toEqual({ rangeStart: 4096 + 7 * 1024, rangeEnd: 4096 + 8 * 1024 });
      // The root's own entry is not in the image: not counted, not in the range.
      expect(r.countSubtree('/')).toBe(batch.length - 1);
      expect(streamRange(r, ['/'], [])).toEqual({ rangeStart: 0, rangeEnd: -1 });
    } finally {
      r.close();
    }
  });
});

describe('bpdbm routes', () => {
  it('answers every bpdbm message', async () => {
    const db = createBpdbm(home, log);
    const types = db.routes.map((r) => r.spec.type).sort();
    expect(types).toEqual(Object.values(bpdbm).map((m) => m.type).sort());
    const call = async <Req, Res>(spec: { type: string; request: { parse(v: unknown): Req } }, body: unknown): Promise<Res> => {
      const r = db.routes.find((x) => x.spec.type === spec.type)!;
      return (await r.handler(spec.request.parse(body), { closed: new Promise(() => {}), isClosed: () => false })) as Res;
    };
    await call(bpdbm.createImage, image('c', 1_700_000_000));
    await call(bpdbm.addFiles, { backupid: 'c_1700000000', files: [file('/x\xff\n', 'f')] });
    expect(db.pendingImages()).toHaveLength(1);
    const img = await call<unknown, { numFiles: number }>(bpdbm.commitImage, { backupid: 'c_1700000000', kbytes: 1, numFiles: 1, elapsed: 0, backupStatus: 0 });
    expect(img.numFiles).toBe(1);
    const listed = await call<unknown, { runs: Array<{ backupid: string; count: number; entries: string }>; next?: string }>(bpdbm.listFiles, { client: 'c', path: '/x\xff\n' });
    expect(listed.next).toBeUndefined();
    expect(listed.runs.map((r) => [r.backupid, r.count])).toEqual([['c_1700000000', 1]]);
    expect(decodeBlock(Buffer.from(listed.runs[0]!.entries, 'base64'), 1)[0]!.path).toBe('/x\xff\n');
    expect(bpdbm.listFiles.reply.parse(listed)).toEqual(listed);
    // An incremental's base: the .f copied into run/jobs as it is, for bpbkar to read; nowhere else.
    const jobs = path.join(home.run, 'jobs');
    fs.mkdirSync(jobs, { recursive: true });
    const base = path.join(jobs, '7.base.f');
    expect(await call(bpdbm.exportImageFiles, { backupid: 'c_1700000000', file: base })).toEqual({ entries: 2 });
    const baseFiles = await readBaseFiles(base);
    expect(baseFiles.get('/x\xff\n')).toMatchObject({ type: 'f' });
    baseFiles.close();
    expect(fs.statSync(base).mode & 0o777).toBe(0o600);
    await expect(call(bpdbm.exportImageFiles, { backupid: 'c_1700000000', file: base })).rejects.toMatchObject({ status: 220 }); // exists
    await expect(call(bpdbm.exportImageFiles, { backupid: 'c_1700000000', file: path.join(home.root, '7.base.f') })).rejects.toThrow(/not a job base file/);
    await expect(call(bpdbm.exportImageFiles, { backupid: 'c_1700000000', file: path.join(jobs, 'x.base.f') })).rejects.toThrow(/not a job base file/);
    await db.close();
  });
});

describe('file records as .f blocks (addFileBlock)', () => {
  const tree = (top: string): FileRecord[] => [
    file(top, 'd'),
    file(`${top}/a`),
    file(`${top}/sub`, 'd'),
    file(`${top}/sub/b`, 'f', { inImage: 0 }),
    file(`${top}/sub/c`, 'l', { link: '../a', size: 0 }),
    file(`${top}/z\xff`, 'h', { link: `${top}/a` }),
  ];
  const encodeEntries = (records: FileRecord[]) => encodeBlock(records as FilesEntryInput[]);
  const entriesOf = (store: ImageStore, backupid: string) => {
    const f = path.join(home.images, 'c', '1700000000', `${store.listImages({ backupid })[0]!.policy}_${backupid.split('_')[1]}_UBAK.f`);
    const r = FilesReader.open(f);
    try {
      return [...r.entries()];
    } finally {
      r.close();
    }
  };

  it('catalogues the same entries as addFiles, ancestors of the selection included, whether a block is appended as is or not', () => {
    const store = new ImageStore(home.images, log);
    // The last two blocks are decoded, not appended as is: an in_image of 2 (recorded as 1), paths not normal (normalised).
    const records: FileRecord[] = [
      ...tree('/data/one'), ...tree('/data/one/sub/deeper'), file('/data/one/sub/late'), ...tree('/other'),
      file('/other/q', 'f', { inImage: 2 }), file('/other//n'), file('/other/./m/'),
    ];
    store.createImage(image('c', 1_700_000_001));
    store.addFiles('c_1700000001', records);
    store.commitImage({ backupid: 'c_1700000001', kbytes: 1, numFiles: records.length, elapsed: 1, backupStatus: 0 });
    store.createImage(image('c', 1_700_000_002));
    // Blocks cut anywhere: the first lacks /data (ancestors), later ones start mid-directory or with a new selection.
    for (const [from, to] of [[0, 2], [2, 5], [5, 9], [9, 13], [13, records.length - 3], [records.length - 3, records.length - 2], [records.length - 2, records.length]] as const) {
      store.addFileBlock('c_1700000002', encodeEntries(records.slice(from, to)), to - from);
    }
    store.commitImage({ backupid: 'c_1700000002', kbytes: 1, numFiles: records.length, elapsed: 1, backupStatus: 0 });
    const viaFiles = entriesOf(store, 'c_1700000001');
    expect(viaFiles.map((e) => e.path).slice(0, 3)).toEqual(['/', '/data', '/data/one']);
    expect(entriesOf(store, 'c_1700000002')).toEqual(viaFiles);
    expect(viaFiles.slice(-3).map((e) => [e.path, e.inImage])).toEqual([['/other/q', 1], ['/other/n', 1], ['/other/m', 1]]);
    expect(listFiles(store, { client: 'c', path: '/data/one/sub', backupid: 'c_1700000002' }).map((f) => f.file.path)).toEqual(
      listFiles(store, { client: 'c', path: '/data/one/sub', backupid: 'c_1700000001' }).map((f) => f.file.path),
    );
  });

  it('refuses a damaged block whole with status 133 and a clear message; the image goes on', () => {
    const store = new ImageStore(home.images, log);
    store.createImage(image('c', 1_700_000_003));
    const good = encodeEntries(tree('/t'));
    for (const [payload, count] of [[good.subarray(0, good.length - 4), 6], [good, 7], [Buffer.from('not a block at all'), 3]] as const) {
      expect(statusOf(() => store.addFileBlock('c_1700000003', payload, count))).toBe(133);
    }
    expect(() => store.addFileBlock('c_1700000003', good, 5)).toThrow(/c_1700000003: corrupt block of file records \(trailing bytes in block\)/);
    store.addFileBlock('c_1700000003', good, 6);
    store.commitImage({ backupid: 'c_1700000003', kbytes: 1, numFiles: 6, elapsed: 1, backupStatus: 0 });
    expect(entriesOf(store, 'c_1700000003').map((e) => [e.path, e.inImage])).toEqual([
      ['/', 0],
      ['/t', 1],
      ['/t/a', 1],
      ['/t/sub', 1],
      ['/t/sub/b', 0],
      ['/t/sub/c', 1],
      ['/t/z\xff', 1],
    ]);
  });

  it('is routed from a block of bytes; a damaged one answers 133', async () => {
    const db = createBpdbm(home, log);
    const call = async (spec: { type: string; request: { parse(v: unknown): unknown } }, body: unknown): Promise<unknown> => {
      const r = db.routes.find((x) => x.spec.type === spec.type)!;
      return r.handler(spec.request.parse(body), { closed: new Promise(() => {}), isClosed: () => false });
    };
    await call(bpdbm.createImage, image('c', 1_700_000_004));
    const block = encodeEntries(tree('/r'));
    await expect(call(bpdbm.addFileBlock, { backupid: 'c_1700000004', count: 6, block: block.subarray(0, -6) })).rejects.toMatchObject({ status: 133 });
    await call(bpdbm.addFileBlock, { backupid: 'c_1700000004', count: 6, block });
    const img = (await call(bpdbm.commitImage, { backupid: 'c_1700000004', kbytes: 1, numFiles: 6, elapsed: 0, backupStatus: 0 })) as { numFiles: number };
    expect(img.numFiles).toBe(6);
    const listed = (await call(bpdbm.listFiles, { client: 'c', path: '/r/sub/' })) as { runs: Array<{ count: number; entries: string }> };
    expect(listed.runs.flatMap((r) => decodeBlock(Buffer.from(r.entries, 'base64'), r.count).map((e) => e.path))).toEqual(['/r/sub', '/r/sub/b', '/r/sub/c']);
    await db.close();
  });
});
