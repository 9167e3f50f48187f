// Image cleanup's dependency rule: an expired image stays while a later, unexpired incremental of its chain needs it.

import { dependentsOf, planCleanup } from '../../../src/master/nbpem/cleanup-plan.js';
import type { ImageRecord, SchedType } from '../../../src/protocol/records.js';
import { image } from '../bpdbm/fixtures.js';

const NOW = 1_800_000_000;
const PAST = NOW - 10;
const FUTURE = NOW + 10;

function img(t: number, schedType: SchedType, expiration: number, over: Partial<ImageRecord> = {}): ImageRecord {
  return image(over.client ?? 'c1', t, { policy: 'p', schedType, expiration, ...over });
}

const ids = (list: readonly ImageRecord[]) => list.map((i) => i.backupid);

describe('planCleanup', () => {
  it('removes expired images and leaves unexpired ones alone', () => {
    const plan = planCleanup([img(1, 'UBAK', PAST), img(2, 'UBAK', FUTURE), img(3, 'UBAK', NOW)], NOW);
    expect(ids(plan.remove).sort()).toEqual(['c1_1', 'c1_3']);
    expect(plan.kept).toEqual([]);
  });

  it('never holds user backups for one another (no incremental follows)', () => {
    const plan = planCleanup([img(1, 'UBAK', PAST), img(2, 'UBAK', FUTURE)], NOW);
    expect(ids(plan.remove)).toEqual(['c1_1']);
  });

  it('keeps an expired full while a later incremental has not expired, and says why', () => {
    const full = img(1, 'FULL', PAST);
    const incr = img(2, 'INCR', FUTURE);
    const plan = planCleanup([incr, full], NOW);
    expect(plan.remove).toEqual([]);
    expect(plan.kept).toHaveLength(1);
    expect(plan.kept[0]!.image).toBe(full);
    expect(plan.kept[0]!.heldBy).toBe(incr);
    expect(plan.kept[0]!.reason).toContain('c1_1');
    expect(plan.kept[0]!.reason).toContain('INCR image c1_2');
  });

  it('keeps every expired image of the chain up to the last unexpired incremental', () => {
    const plan = planCleanup([img(1, 'FULL', PAST), img(2, 'INCR', PAST), img(3, 'CINC', PAST), img(4, 'INCR', FUTURE)], NOW);
    expect(plan.remove).toEqual([]);
    expect(plan.kept.map((k) => [k.image.backupid, k.heldBy.backupid])).toEqual([['c1_1', 'c1_4'], ['c1_2', 'c1_4'], ['c1_3', 'c1_4']]);
  });

  it('removes a whole chain once all of it has expired, dependents first', () => {
    const plan = planCleanup([img(1, 'FULL', PAST), img(2, 'INCR', PAST), img(3, 'INCR', PAST)], NOW);
    expect(ids(plan.remove)).toEqual(['c1_3', 'c1_2', 'c1_1']);
  });

  it('stops a chain at the next full: an older chain goes while the newer one is kept', () => {
    const plan = planCleanup([img(1, 'FULL', PAST), img(2, 'INCR', PAST), img(3, 'FULL', PAST), img(4, 'INCR', FUTURE)], NOW);
    expect(ids(plan.remove)).toEqual(['c1_2', 'c1_1']);
    expect(plan.kept.map((k) => k.image.backupid)).toEqual(['c1_3']);
  });

  it('does not hold an image for a later full or for unexpired images after the last incremental', () => {
    const plan = planCleanup([img(1, 'FULL', PAST), img(2, 'INCR', PAST), img(3, 'UBAK', FUTURE), img(4, 'FULL', FUTURE)], NOW);
    expect(ids(plan.remove)).toEqual(['c1_2', 'c1_1']);
  });

  it('keeps chains of other clients and policies apart', () => {
    const plan = planCleanup(
      [img(1, 'FULL', PAST), img(2, 'INCR', FUTURE, { client: 'c2' }), img(3, 'INCR', FUTURE, { policy: 'q' })],
      NOW,
    );
    expect(ids(plan.remove)).toEqual(['c1_1']);
  });

  it('never removes an image with infinite retention', () => {
    const plan = planCleanup([img(1, 'FULL', 2147483647), img(2, 'INCR', PAST)], NOW);
    expect(ids(plan.remove)).toEqual(['c1_2']);
    expect(plan.kept).toEqual([]);
  });

  it('dependentsOf lists the later images of the chain up to the last incremental', () => {
    const all = [img(1, 'FULL', FUTURE), img(2, 'INCR', FUTURE), img(3, 'CINC', FUTURE), img(4, 'FULL', FUTURE), img(5, 'INCR', FUTURE)];
    expect(ids(dependentsOf(all, all[0]!))).toEqual(['c1_2', 'c1_3']);
    expect(ids(dependentsOf(all, all[2]!))).toEqual([]);
    expect(ids(dependentsOf(all, all[3]!))).toEqual(['c1_5']);
  });
});

describe('planCleanup with multiple data streams', () => {
  it('holds an expired full only for incrementals of its own stream', () => {
    const full1 = img(1, 'FULL', PAST, { streamNumber: 1 });
    const full2 = img(2, 'FULL', PAST, { streamNumber: 2 });
    const incr2 = img(3, 'INCR', FUTURE, { streamNumber: 2 });
    const plan = planCleanup([full1, full2, incr2], NOW);
    expect(ids(plan.remove)).toEqual(['c1_1']);
    expect(plan.kept.map((k) => [k.image.backupid, k.heldBy.backupid])).toEqual([['c1_2', 'c1_3']]);
    expect(ids(dependentsOf([full1, full2, incr2], full1))).toEqual([]);
  });
});
