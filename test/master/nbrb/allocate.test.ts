import { decide, queueOrder, type Allocation, type AllocationRequest } from '../../../src/master/nbrb/allocate.js';
import type { StorageUnit } from '../../../src/protocol/records.js';

const unit = (label: string, cj: number): StorageUnit => ({
  label, type: 'disk', path: `/stu/${label}`, host: 'h', concurrentJobs: cj, maxFragmentMB: 100, highWaterMark: 98, lowWaterMark: 80, onDemandOnly: false, maxMpx: 1,
});
const req = (jobid: number, client = 'c1', extra: Partial<AllocationRequest> = {}): AllocationRequest => ({
  jobid, client, policy: 'p', priority: 0, kind: 'backup', arrived: jobid, ...extra,
});
const alloc = (jobid: number, client: string, u: StorageUnit): Allocation => ({ jobid, client, kind: 'backup', unit: u });

describe('nbrb allocation decisions', () => {
  const a = unit('a', 2);
  const b = unit('b', 1);

  it('grants a unit with room and waits when every unit is at its concurrent-job limit', () => {
    expect(decide(req(1), [a], [], { maxJobsPerClient: 9 })).toEqual({ unit: a });
    const full = [alloc(1, 'x', a), alloc(2, 'y', a)];
    expect(decide(req(3), [a], full, { maxJobsPerClient: 9 })).toMatchObject({ wait: expect.stringContaining('storage unit a') });
    expect(decide(req(3), [a, b], full, { maxJobsPerClient: 9 })).toEqual({ unit: b });
  });

  it('holds the maximum jobs per client, and 0 fails with 194', () => {
    expect(decide(req(2, 'c1'), [a], [alloc(1, 'c1', a)], { maxJobsPerClient: 1 })).toMatchObject({ wait: expect.stringContaining('per client') });
    expect(decide(req(2, 'c2'), [a], [alloc(1, 'c1', a)], { maxJobsPerClient: 1 })).toEqual({ unit: a });
    const d = decide(req(1), [a], [], { maxJobsPerClient: 0 });
    expect('fail' in d && d.fail.status).toBe(194);
  });

  it('fails with 219 for an unknown named unit and 213 when there is none', () => {
    const d1 = decide(req(1, 'c', { stunit: 'nope' }), [a], [], { maxJobsPerClient: 1 });
    expect('fail' in d1 && d1.fail.status).toBe(219);
    const d2 = decide(req(1), [], [], { maxJobsPerClient: 1 });
    expect('fail' in d2 && d2.fail.status).toBe(213);
  });

  it('holds the limit of jobs per policy', () => {
    const running = [{ ...alloc(1, 'c1', a), policy: 'p' }];
    expect(decide(req(2, 'c2', { maxPolicyJobs: 1 }), [a], running, { maxJobsPerClient: 9 })).toMatchObject({ wait: expect.stringContaining('per policy') });
    expect(decide(req(2, 'c2', { maxPolicyJobs: 2 }), [a], running, { maxJobsPerClient: 9 })).toEqual({ unit: a });
    expect(decide(req(2, 'c2', { policy: 'other', maxPolicyJobs: 1 }), [a], running, { maxJobsPerClient: 9 })).toEqual({ unit: a });
  });

  it('restores are not held by backup limits', () => {
    expect(decide(req(9, 'c1', { kind: 'restore' }), [b], [alloc(1, 'c1', b)], { maxJobsPerClient: 1 })).toEqual({ unit: b });
  });

  it('orders the queue by priority, then arrival', () => {
    const q = [req(1, 'c', { priority: 0 }), req(2, 'c', { priority: 5 }), req(3, 'c', { priority: 5 })].sort(queueOrder);
    expect(q.map((r) => r.jobid)).toEqual([2, 3, 1]);
  });
});
