// bpdbm: setting an image's expiration (atomic, persistent) and deleting a committed image.

import fs from 'node:fs';
import path from 'node:path';
import type { Home } from '../../../src/config/home.js';
import { ImageStore } from '../../../src/master/bpdbm/image-store.js';
import { createBpdbm } from '../../../src/master/bpdbm/routes.js';
import { bpdbm } from '../../../src/protocol/bpdbm.js';
import { file, fragment, image, statusOf, tempHome } from './fixtures.js';

let home: Home;
const log = () => {};
beforeEach(() => {
  home = tempHome('openbp-bpdbm-exp');
});
afterEach(() => fs.rmSync(home.root, { recursive: true, force: true }));


function backup(store: ImageStore, client: string, t: number) {
  store.createImage(image(client, t));
  store.addFiles(`${client}_${t}`, [file('/a')]);
  store.addFragment(`${client}_${t}`, fragment(1));
  store.addFragment(`${client}_${t}`, fragment(2));
  return store.commitImage({ backupid: `${client}_${t}`, kbytes: 3, numFiles: 1, elapsed: 2, backupStatus: 0 });
}

const bucket = () => path.join(home.images, 'host1', '1700000000');

describe('image expiration in the catalogue', () => {
  it('sets the expiration of the image and its fragments, and keeps it across a restart', () => {
    const store = new ImageStore(home.images, log);
    backup(store, 'host1', 1_700_000_100);
    const updated = store.setExpiration('host1_1700000100', 1_700_000_500);
    expect(updated.expiration).toBe(1_700_000_500);
    expect(updated.fragments.map((f) => f.expiration)).toEqual([1_700_000_500, 1_700_000_500]);
    expect(store.listImages({})[0]!.expiration).toBe(1_700_000_500);
    expect(fs.readdirSync(bucket()).filter((n) => n.includes('tmp') || n.startsWith('.'))).toEqual([]);
    const again = new ImageStore(home.images, log);
    expect(again.listImages({})[0]).toEqual(updated);
  });

  it('answers 227 for an unknown image, a pending one, or another client', () => {
    const store = new ImageStore(home.images, log);
    backup(store, 'host1', 1_700_000_100);
    store.createImage(image('host1', 1_700_000_200));
    expect(statusOf(() => store.setExpiration('host1_1700000999', 0))).toBe(227);
    expect(statusOf(() => store.setExpiration('host1_1700000200', 0))).toBe(227);
    expect(statusOf(() => store.setExpiration('host1_1700000100', 0, 'other'))).toBe(227);
    expect(statusOf(() => store.deleteImage('host1_1700000999'))).toBe(227);
    expect(statusOf(() => store.deleteImage('host1_1700000100', 'other'))).toBe(227);
  });

  it('deletes a committed image: header and .f gone, fragments returned, others untouched', () => {
    const store = new ImageStore(home.images, log);
    backup(store, 'host1', 1_700_000_100);
    const keep = backup(store, 'host1', 1_700_000_200);
    const gone = store.deleteImage('host1_1700000100');
    expect(gone.fragments.map((f) => f.fragment)).toEqual([1, 2]);
    expect(store.listImages({})).toEqual([keep]);
    expect(fs.readdirSync(bucket()).sort()).toEqual(['openbp-default_1700000200_UBAK', 'openbp-default_1700000200_UBAK.f']);
    expect(new ImageStore(home.images, log).listImages({})).toEqual([keep]);
    expect(statusOf(() => store.deleteImage('host1_1700000100'))).toBe(227);
    store.deleteImage('host1_1700000200');
    expect(fs.existsSync(bucket())).toBe(false);
  });

  it('sweeps a .f left without its header by a crash inside a delete', () => {
    const store = new ImageStore(home.images, log);
    backup(store, 'host1', 1_700_000_100);
    fs.unlinkSync(path.join(bucket(), 'openbp-default_1700000100_UBAK')); // crash after the header's unlink
    const again = new ImageStore(home.images, log);
    expect(again.listImages({})).toEqual([]);
    expect(fs.readdirSync(bucket())).toEqual([]);
  });

  it('is reachable through the bpdbm routes', async () => {
    const db = createBpdbm(home, log);
    const call = async <Q, R>(spec: { type: string }, body: Q): Promise<R> => {
      const r = db.routes.find((x) => x.spec.type === spec.type)!;
      return (await r.handler(body as never, { closed: new Promise(() => {}) } as never)) as R;
    };
    await call(bpdbm.createImage, image('host1', 1_700_000_100));
    await call(bpdbm.addFragment, { backupid: 'host1_1700000100', fragment: fragment(1) });
    await call(bpdbm.commitImage, { backupid: 'host1_1700000100', kbytes: 1, numFiles: 0, elapsed: 0, backupStatus: 0 });
    const set = await call<unknown, { expiration: number }>(bpdbm.setExpiration, { backupid: 'host1_1700000100', expiration: 5 });
    expect(set.expiration).toBe(5);
    const del = await call<unknown, { fragments: unknown[] }>(bpdbm.deleteImage, { backupid: 'host1_1700000100' });
    expect(del.fragments).toHaveLength(1);
    await db.close();
  });
});
