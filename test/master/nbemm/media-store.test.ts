import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { MediaStore, checkMediaId } from '../../../src/master/nbemm/media-store.js';
import { isWritable } from '../../../src/master/nbemm/volume-state.js';
import { mediaIdOf as mediaIdOfBarcode } from '../../../src/storage/tape/barcode.js';

describe('media store', () => {
  let dir: string;
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'obp-emm-'));
  });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('derives media IDs from barcodes', () => {
    expect(mediaIdOfBarcode('A00000L5')).toBe('A00000');
    expect(mediaIdOfBarcode('01450000')).toBe('450000');
    expect(mediaIdOfBarcode('ABC123')).toBe('ABC123');
    expect(() => checkMediaId('A000000')).toThrow(expect.objectContaining({ status: 171 }));
  });
  it('inventories, moves slots, drops missing volumes to standalone, and persists', () => {
    const db = new MediaStore(dir, () => {}, () => 1000);
    db.addRobot({ number: 0, type: 'TLD', path: '/x', host: 'h' });
    expect(db.inventory(0, 'hcart3', [{ slot: 1, barcode: 'A00000L5' }, { slot: 2, barcode: 'A00001L5' }, { slot: 3, barcode: 'CLN001L1' }]).added).toEqual(['A00000', 'A00001']);
    const r = db.inventory(0, 'hcart3', [{ slot: 5, barcode: 'A00000L5' }]);
    expect(r).toEqual({ added: [], moved: ['A00000'], unchanged: [], removed: ['A00001'] });
    db.changeVolume({ mediaId: 'A00000', poolName: 'NetBackup', setStatus: 0x1 });
    const again = new MediaStore(dir, () => {});
    expect(again.volume('A00000')).toMatchObject({ slot: 5, pool: 1, previousPool: 2, status: 1, created: 1000 });
    expect(again.volume('A00001')).toMatchObject({ robotType: 'NONE', volumeGroup: '---' });
    expect(again.volume('A00001').slot).toBeUndefined();
    expect(JSON.parse(fs.readFileSync(path.join(dir, 'volumes.json'), 'utf8'))).toMatchObject({ format: 'openbp-emm-volumes', version: 1 });
  });
  it('counts a restore read: restores, mounts, last-read time (never moved back), persisted', () => {
    const db = new MediaStore(dir, () => {}, () => 1000);
    db.addRobot({ number: 0, type: 'TLD', path: '/x', host: 'h' });
    db.inventory(0, 'hcart3', [{ slot: 1, barcode: 'A00000L5' }]);
    expect(db.volume('A00000')).toMatchObject({ restores: 0, lastRead: 0, mounts: 0 });
    db.volumeRead({ mediaId: 'A00000', read: 5000 });
    db.volumeRead({ mediaId: 'A00000', read: 4000 });
    expect(new MediaStore(dir, () => {}).volume('A00000')).toMatchObject({ restores: 2, lastRead: 5000, mounts: 2, firstMount: 5000, lastMount: 5000 });
    expect(() => db.volumeRead({ mediaId: 'Z00009', read: 1 })).toThrow(expect.objectContaining({ status: 95 }));
  });
  it('numbers user pools after the defaults', () => {
    const db = new MediaStore(dir, () => {});
    expect(db.addPool('Offsite')).toEqual({ number: 4, name: 'Offsite', description: '' });
    expect(() => db.addPool('Offsite')).toThrow(expect.objectContaining({ status: 20 }));
    expect(() => db.poolByName('Nope')).toThrow(expect.objectContaining({ status: 167 }));
  });
  it('unassigns a volume whose images all expired: back to Scratch when it came from there; FROZEN stays assigned', () => {
    const db = new MediaStore(dir, () => {}, () => 1000);
    db.addRobot({ number: 0, type: 'TLD', path: '/x', host: 'h' });
    db.inventory(0, 'hcart3', [1, 2, 3, 4].map((slot) => ({ slot, barcode: `A0000${slot}L5` })));
    for (const id of ['A00001', 'A00002', 'A00003']) {
      db.changeVolume({ mediaId: id, poolName: 'NetBackup' });
      db.volumeImported({ mediaId: id, images: 2, kbytes: 300, expiration: 5000, retentionLevel: 3 });
    }
    db.changeVolume({ mediaId: 'A00002', setStatus: 0x1 | 0x8 });
    expect(isWritable(db.volume('A00002'))).toBe(false);
    expect(isWritable(db.volume('A00003'))).toBe(true);
    expect(db.volumeImagesExpired('A00001', 2000)).toMatchObject({ unassigned: true, volume: { pool: 2, previousPool: 1, images: 0, kbytes: 0, assigned: 0, status: 0 } });
    expect(db.volumeImagesExpired('A00002', 2000)).toMatchObject({ unassigned: false, volume: { pool: 1, images: 2, status: 0x49 } });
    // Written after the caller listed the catalogue: left alone.
    const written = { ...db.volume('A00003'), lastWritten: 3000 };
    db.volumes.set('A00003', written);
    expect(db.volumeImagesExpired('A00003', 2000).unassigned).toBe(false);
    // A volume that never left its pool is unassigned where it is.
    db.volumeImported({ mediaId: 'A00004', images: 1, kbytes: 1, expiration: 5000, retentionLevel: 0 });
    expect(db.volumeImagesExpired('A00004', 2000)).toMatchObject({ unassigned: true, volume: { pool: 2, images: 0 } });
    expect(db.labelVolume('A00002', 'NetBackup')).toMatchObject({ images: 0, status: 0x1, pool: 1 });
  });
});
