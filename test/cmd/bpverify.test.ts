import { verifyReport, verifyStatus } from '../../src/cmd/bpverify.js';

describe('bpverify status', () => {
  it('0 when every image verified; one image: its status; several all failed: 191; else the first failure', () => {
    expect(verifyStatus([0, 0])).toBe(0);
    expect(verifyStatus([85])).toBe(85);
    expect(verifyStatus([85, 83])).toBe(191);
    expect(verifyStatus([0, 85])).toBe(85);
  });
});

describe('bpverify report', () => {
  const image = (backupid: string) => ({ backupid, policy: 'pol', schedLabel: 'full' }) as unknown as import('../../src/protocol/records.js').ImageRecord;
  it('one INF or ERR line per image, then the NetBackup summary line', () => {
    const lines = verifyReport([image('c_1'), image('c_2')], [
      { backupid: 'c_1', status: 0, started: 0, ended: 0 },
      { backupid: 'c_2', status: 85, started: 0, ended: 0 },
    ], 1_700_000_000);
    expect(lines[0]).toMatch(/^\d\d:\d\d:\d\d INF - Verify started /);
    expect(lines[1]).toMatch(/^\d\d:\d\d:\d\d INF - Verify of policy pol, schedule full \(c_1\) was successful$/);
    expect(lines[2]).toMatch(/^\d\d:\d\d:\d\d ERR - Verify of policy pol, schedule full \(c_2\) failed, media read error \(85\)$/);
    expect(lines[3]).toMatch(/^\d\d:\d\d:\d\d INF - Status = successfully verified 1 of 2 images\.$/);
  });
});
