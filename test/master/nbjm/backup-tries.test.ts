import { nextTry } from '../../../src/master/nbjm/backup-tries.js';

describe('tries of a scheduled backup', () => {
  it('a failed try is retried while tries are left and the window stays open', () => {
    const plan = { tries: 3, delaySeconds: 30, startBy: 1000 };
    expect(nextTry(plan, 1, 71, 100)).toEqual({ again: true, at: 130 });
    expect(nextTry(plan, 3, 71, 100)).toMatchObject({ again: false, why: expect.stringContaining('no more tries') });
    expect(nextTry(plan, 1, 71, 980)).toMatchObject({ again: false, why: expect.stringContaining('window closes') });
    for (const final of [0, 1, 150, 196]) expect(nextTry(plan, 1, final, 100)).toEqual({ again: false });
    expect(nextTry({ tries: 1, delaySeconds: 0 }, 1, 71, 100)).toEqual({ again: false });
  });
});
