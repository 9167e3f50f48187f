import { verifyStatus } from '../../src/cmd/bpverify.js';

describe('bpverify status', () => {
  it('0 when every image verified; one image: its status; several all failed: 191; else the first failure', () => {
    expect(verifyStatus([0, 0])).toBe(0);
    expect(verifyStatus([85])).toBe(85);
    expect(verifyStatus([85, 83])).toBe(191);
    expect(verifyStatus([0, 85])).toBe(85);
  });
});
