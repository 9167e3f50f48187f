import { decide, type Allocation, type AllocationRequest } from '../../../src/master/nbrb/allocate.js';
import { decideTape, pickVolume, type MediaView } from '../../../src/master/nbrb/tape-allocate.js';
import type { DriveRecord, StorageUnit, TapeAssignment, VolumeRecord } from '../../../src/protocol/records.js';

const unit: StorageUnit = {
  label: 't', type: 'tape', path: '', host: 'h', concurrentJobs: 4, maxFragmentMB: 100, highWaterMark: 0, lowWaterMark: 0, onDemandOnly: false, maxMpx: 1,
  density: 'hcart3', robotType: 'TLD', robotNumber: 0,
};
const robot = { number: 0, type: 'TLD', path: '/vtl', host: 'h' };
const drive = (index: number, status: 'UP' | 'DOWN' = 'UP'): DriveRecord => ({
  index, name: `HCART3.00${index}`, type: 'hcart3', path: `/vtl/drive${index}`, robotNumber: 0, robotType: 'TLD', robotDrive: index, status,
});
const pools = [
  { number: 0, name: 'None', description: '' },
  { number: 1, name: 'NetBackup', description: '' },
  { number: 2, name: 'Scratch', description: '' },
  { number: 4, name: 'Weekly', description: '' },
];
const vol = (mediaId: string, extra: Partial<VolumeRecord> = {}): VolumeRecord => ({
  mediaId, barcode: `${mediaId}L5`, density: 'hcart3', description: '', pool: 2, previousPool: 0, robotType: 'TLD', robotNumber: 0, slot: 1,
  volumeGroup: '000_00000_TLD', created: 1, assigned: 0, firstMount: 0, lastMount: 0, lastWritten: 0, lastRead: 0, expiration: 0, mounts: 0,
  status: 0, retentionLevel: 0, kbytes: 0, images: 0, validImages: 0, restores: 0, ...extra,
});
const view = (volumes: VolumeRecord[], drives = [drive(0), drive(1)]): MediaView => ({ robots: [robot], drives, volumes, pools });
const holding = (d: number, mediaId?: string, read: string[] = []): TapeAssignment => ({
  robot, drive: drive(d), ...(mediaId ? { volume: { mediaId, barcode: `${mediaId}L5` } } : {}), pool: 'NetBackup', readVolumes: read.map((m) => ({ mediaId: m, barcode: `${m}L5` })),
});
const backup = { kind: 'backup', pool: 'NetBackup', retentionLevel: 1 };
const statusOf = (d: object) => ('fail' in d ? (d as { fail: { status: number } }).fail.status : undefined);

describe('nbrb tape allocation', () => {
  it('prefers an active volume of the pool with the same retention, then an unassigned one of the pool, then scratch', () => {
    const active = vol('A00001', { pool: 1, assigned: 5, retentionLevel: 1, images: 2 });
    const otherRetention = vol('A00002', { pool: 1, assigned: 5, retentionLevel: 3, images: 1 });
    const fresh = vol('A00003', { pool: 1 });
    const scratch = vol('A00004');
    expect(pickVolume(unit, 'NetBackup', 1, view([scratch, fresh, otherRetention, active]), new Set())).toEqual({ volume: { mediaId: 'A00001', barcode: 'A00001L5' } });
    expect(pickVolume(unit, 'NetBackup', 1, view([scratch, fresh, otherRetention]), new Set())).toMatchObject({ volume: { mediaId: 'A00003' } });
    expect(pickVolume(unit, 'NetBackup', 1, view([scratch, otherRetention]), new Set())).toMatchObject({ volume: { mediaId: 'A00004' } });
  });

  it('never takes FROZEN, SUSPENDED or FULL volumes, another pool\'s, another robot\'s or another density\'s: 96', () => {
    const vols = [
      vol('A00001', { status: 0x1 }), vol('A00002', { status: 0x2 }), vol('A00003', { status: 0x8 }), vol('A00004', { pool: 4 }),
      vol('A00005', { robotNumber: 1 }), vol('A00006', { density: 'dlt' }),
    ];
    expect(statusOf(pickVolume(unit, 'NetBackup', 1, view(vols), new Set()))).toBe(96);
    expect(statusOf(pickVolume(unit, 'NoSuchPool', 1, view(vols), new Set()))).toBe(167);
  });

  it('waits while the only usable volume is in use by another job', () => {
    const d = decideTape(backup, unit, [holding(1, 'A00001')], view([vol('A00001')]));
    expect(d).toMatchObject({ wait: expect.stringContaining('waiting for media') });
  });

  it('takes a free UP drive, waits when all are busy, fails 2001 when none is up', () => {
    const vols = [vol('A00001'), vol('A00002')];
    expect(decideTape(backup, unit, [], view(vols, [drive(0, 'DOWN'), drive(1)]))).toMatchObject({ tape: { drive: { index: 1 }, volume: { mediaId: 'A00001' }, pool: 'NetBackup' } });
    expect(decideTape(backup, unit, [holding(0, 'A00001')], view(vols))).toMatchObject({ tape: { drive: { index: 1 }, volume: { mediaId: 'A00002' } } });
    expect(decideTape(backup, unit, [holding(0, 'A00001'), holding(1, 'A00002')], view(vols))).toMatchObject({ wait: expect.stringContaining('waiting for a drive') });
    expect(statusOf(decideTape(backup, unit, [], view(vols, [drive(0, 'DOWN'), drive(1, 'DOWN')])))).toBe(2001);
    expect(statusOf(decideTape(backup, unit, [], view(vols, [])))).toBe(2001);
  });

  it('gives a restore a drive and the volumes it reads; waits while one is being written', () => {
    const vols = [vol('A00001', { pool: 1 }), vol('A00002', { pool: 1 })];
    expect(decideTape({ kind: 'restore', media: ['A00002', 'A00001'] }, unit, [], view(vols))).toMatchObject({
      tape: { readVolumes: [{ mediaId: 'A00002' }, { mediaId: 'A00001' }] },
    });
    expect(decideTape({ kind: 'restore', media: ['A00001'] }, unit, [holding(0, 'A00001')], view(vols))).toMatchObject({ wait: expect.stringContaining('A00001') });
    expect(statusOf(decideTape({ kind: 'restore', media: ['Z00009'] }, unit, [], view(vols)))).toBe(95);
  });

  it('decide() hands a tape unit its assignment, and a busy drive keeps the job queued with a reason', () => {
    const req: AllocationRequest = { jobid: 2, client: 'c', policy: 'p', priority: 0, kind: 'backup', arrived: 2, pool: 'NetBackup', retentionLevel: 1 };
    const one = view([vol('A00001'), vol('A00002')], [drive(0)]);
    expect(decide(req, [unit], [], { maxJobsPerClient: 9 }, one)).toMatchObject({ unit, tape: { drive: { index: 0 } } });
    const running: Allocation = { jobid: 1, client: 'x', kind: 'backup', unit, tape: holding(0, 'A00001') };
    expect(decide(req, [unit], [running], { maxJobsPerClient: 9 }, one)).toEqual({ wait: expect.stringContaining('waiting for a drive') });
  });

  it('a restore of an image with no storage unit (imported) reads on a tape unit of its volume\'s robot, not the first disk unit', () => {
    const disk: StorageUnit = { ...unit, label: 'disk0', type: 'disk', path: '/d', density: undefined, robotType: undefined, robotNumber: undefined } as unknown as StorageUnit;
    const onDemand: StorageUnit = { ...unit, onDemandOnly: true };
    const req: AllocationRequest = { jobid: 3, client: 'c', policy: 'p', priority: 0, stunit: '', kind: 'restore', arrived: 3, media: ['A00001'] };
    const v = view([vol('A00001', { pool: 1 })]);
    expect(decide(req, [disk, onDemand], [], { maxJobsPerClient: 9 }, v)).toMatchObject({ unit: { label: 't' }, tape: { readVolumes: [{ mediaId: 'A00001' }] } });
    // Disk images (no media to read) keep the first unit.
    expect(decide({ ...req, media: [] }, [disk, onDemand], [], { maxJobsPerClient: 9 }, v)).toEqual({ unit: disk });
  });
});
