import { decide, type AllocationRequest } from '../../../src/master/nbrb/allocate.js';
import { recoverAllocations, tapeOfResources, tapeResources } from '../../../src/master/nbrb/recover-allocations.js';
import type { MediaView } from '../../../src/master/nbrb/tape-allocate.js';
import type { DriveRecord, JobRecord, StorageUnit, VolumeRecord } from '../../../src/protocol/records.js';

const tape: StorageUnit = {
  label: 'tape0', type: 'tape', path: '', host: 'h', concurrentJobs: 2, maxFragmentMB: 100, highWaterMark: 0, lowWaterMark: 0, onDemandOnly: false, maxMpx: 1,
  density: 'hcart3', robotType: 'TLD', robotNumber: 0,
};
const disk: StorageUnit = { ...tape, label: 'disk0', type: 'disk', path: '/d', density: undefined, robotType: undefined, robotNumber: undefined } as unknown as StorageUnit;
const robot = { number: 0, type: 'TLD', path: '/vtl', host: 'h' };
const drive = (index: number): DriveRecord => ({
  index, name: `HCART3.00${index}`, type: 'hcart3', path: `/vtl/drive${index}`, robotNumber: 0, robotType: 'TLD', robotDrive: index, status: 'UP',
});
const vol = (mediaId: string, extra: Partial<VolumeRecord> = {}): VolumeRecord => ({
  mediaId, barcode: `${mediaId}L5`, density: 'hcart3', description: '', pool: 1, previousPool: 0, robotType: 'TLD', robotNumber: 0, slot: 1,
  volumeGroup: '000_00000_TLD', created: 1, assigned: 5, firstMount: 0, lastMount: 0, lastWritten: 0, lastRead: 0, expiration: 0, mounts: 0,
  status: 0, retentionLevel: 1, kbytes: 0, images: 1, validImages: 1, restores: 0, ...extra,
});
const pools = [{ number: 1, name: 'NetBackup', description: '' }, { number: 2, name: 'Scratch', description: '' }];
const media: MediaView = { robots: [robot], drives: [drive(0), drive(1)], volumes: [vol('A00000'), vol('A00001'), vol('A00002', { pool: 2, assigned: 0, images: 0 })], pools };
const job = (jobid: number, extra: Partial<JobRecord> = {}): JobRecord => ({
  jobid, jobtype: 0, state: 1, policy: 'p', schedule: 's', client: 'c', server: 'h', started: 1, ended: 0, stunit: 'tape0', operation: 0, kbytes: 0,
  files: 0, pathLastWritten: '', percent: 0, jobpid: 0, owner: 'root', group: 'root', subtype: 0, policyType: 0, schedType: 2, priority: 0,
  retentionLevel: 1, retentionPeriodDays: 14, compression: 0, fileList: [], tries: [], backupid: '', parentJob: 0, stateDetail: '', ...extra,
});

describe('nbrb allocations rebuilt after a restart', () => {
  it('a job record keeps the drive and volumes nbrb granted, and gives them back', () => {
    const granted = { robot, drive: drive(1), volume: { mediaId: 'A00001', barcode: 'A00001L5' }, pool: 'NetBackup', readVolumes: [] };
    const r = tapeResources(granted);
    expect(r).toEqual({ robot: 0, drive: 1, volume: 'A00001', pool: 'NetBackup', readVolumes: [] });
    expect(tapeOfResources(r, media)).toEqual(granted);
    const reading = { robot, drive: drive(0), pool: '', readVolumes: [{ mediaId: 'A00000', barcode: 'A00000L5' }] };
    expect(tapeOfResources(tapeResources(reading), media)).toEqual(reading);
    // A drive removed from the configuration meanwhile: nothing to hold.
    expect(tapeOfResources({ ...r, drive: 7 }, media)).toBeUndefined();
  });

  it('rebuilds active jobs only, with their tape resources; disk jobs keep just the unit', () => {
    const jobs = [
      job(1, { tape: { robot: 0, drive: 0, volume: 'A00000', pool: 'NetBackup', readVolumes: [] } }),
      job(2, { jobtype: 2, tape: { robot: 0, drive: 1, pool: '', readVolumes: ['A00001'] } }),
      job(3, { state: 3, tape: { robot: 0, drive: 1, volume: 'A00002', pool: 'NetBackup', readVolumes: [] } }),
      job(4, { stunit: 'disk0' }),
    ];
    const got = recoverAllocations(jobs, [tape, disk], media);
    expect(got.map((a) => [a.jobid, a.kind, a.unit.label, a.tape?.drive.index, a.tape?.volume?.mediaId, a.tape?.readVolumes.map((v) => v.mediaId)])).toEqual([
      [1, 'backup', 'tape0', 0, 'A00000', []],
      [2, 'restore', 'tape0', 1, undefined, ['A00001']],
      [4, 'backup', 'disk0', undefined, undefined, undefined],
    ]);
    expect(got[0]!.retentionLevel).toBe(1);
  });

  it('a new job after the restart does not get a drive or volume a recovered job holds', () => {
    const running = recoverAllocations([job(1, { tape: { robot: 0, drive: 0, volume: 'A00000', pool: 'NetBackup', readVolumes: [] } })], [tape], media);
    const req: AllocationRequest = { jobid: 2, client: 'other', policy: 'p', priority: 0, stunit: 'tape0', kind: 'backup', arrived: 0, pool: 'NetBackup', retentionLevel: 1 };
    expect(decide(req, [tape], running, { maxJobsPerClient: 4 }, media)).toMatchObject({ tape: { drive: { index: 1 }, volume: { mediaId: 'A00001' } } });
    // A restore of the cartridge the recovered backup is writing waits for it.
    const restore: AllocationRequest = { ...req, kind: 'restore', media: ['A00000'] };
    expect(decide(restore, [tape], running, { maxJobsPerClient: 4 }, media)).toMatchObject({ wait: expect.stringContaining('A00000') });
    // Without the tape resources (as before), the new job would have taken drive 0 too.
    const bare = running.map(({ tape: _t, ...a }) => a);
    expect(decide(req, [tape], bare, { maxJobsPerClient: 4 }, media)).toMatchObject({ tape: { drive: { index: 0 } } });
  });
});
