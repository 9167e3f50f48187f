import { backupTriesFrom, triesBlockedUntil, triesLeft } from '../../../src/master/nbpem/retries.js';
import { parseBpConf } from '../../../src/config/bp-conf.js';

const at = (y: number, mo: number, d: number, h = 0, mi = 0) => Math.floor(new Date(y, mo - 1, d, h, mi).getTime() / 1000);

describe('schedule backup attempts', () => {
  const cfg = backupTriesFrom(parseBpConf('BACKUP_TRIES = 3\nBACKUP_TRIES_PERIOD = 12\nJOB_RETRY_DELAY = 30\n'));

  it('reads bp.conf with NetBackup defaults (2 tries in 12 hours, 10 minutes apart)', () => {
    expect(cfg).toEqual({ tries: 3, periodSeconds: 12 * 3600, retryDelaySeconds: 30 });
    expect(backupTriesFrom([])).toEqual({ tries: 2, periodSeconds: 12 * 3600, retryDelaySeconds: 600 });
  });

  it('counts the failed tries inside the period', () => {
    const now = at(2026, 11, 23, 12);
    expect(triesLeft([], now, cfg)).toBe(3);
    expect(triesLeft([now - 13 * 3600, now - 3600], now, cfg)).toBe(2);
    expect(triesBlockedUntil([now - 3600, now - 600], now, cfg)).toBeUndefined();
    expect(triesBlockedUntil([now - 3 * 3600, now - 3600, now - 600], now, cfg)).toBe(now - 3 * 3600 + 12 * 3600);
  });
});
