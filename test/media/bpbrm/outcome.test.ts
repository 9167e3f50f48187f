import { backupOutcome, restoreOutcome, clientStatus, mediaStatus } from '../../../src/media/bpbrm/outcome.js';

describe('bpbrm job outcome', () => {
  it('backup: media failures win, then the client; no data after a client failure is the client', () => {
    expect(backupOutcome(0, 0)).toBe(0);
    expect(backupOutcome(1, 0)).toBe(1);
    expect(backupOutcome(40, 129)).toBe(129);
    expect(backupOutcome(71, 90)).toBe(71);
    expect(backupOutcome(0, 90)).toBe(90);
    expect(backupOutcome(50, 84)).toBe(84);
  });
  it('restore: the client decides unless the media side failed to deliver', () => {
    expect(restoreOutcome(0, 0)).toBe(0);
    expect(restoreOutcome(0, 85)).toBe(85);
    expect(restoreOutcome(1, 0)).toBe(1);
    expect(restoreOutcome(185, 85)).toBe(85);
    expect(restoreOutcome(1, 85)).toBe(85); // a stream cut short by a dead bptm looks damaged to nbtar
  });
  it('a killed process without a report is 50 (client) or a media error', () => {
    expect(clientStatus({ code: null, signal: 'SIGKILL' })).toBe(50);
    expect(clientStatus({ reported: 1, code: 1, signal: null })).toBe(1);
    expect(mediaStatus({ code: null, signal: 'SIGKILL' }, 'write')).toBe(84);
    expect(mediaStatus({ code: null, signal: 'SIGKILL' }, 'read')).toBe(85);
  });
});
