// Schedule backup attempts: how many tries a scheduled backup gets in a period, and the delay between tries.

import { confInt, type BpConf } from '../../config/bp-conf.js';

/**
 * NetBackup's global attributes "Schedule backup attempts: N tries in P hours" and "Job retry delay",
 * from bp.conf: BACKUP_TRIES (default 2, 1-100), BACKUP_TRIES_PERIOD in hours (default 12) and
 * JOB_RETRY_DELAY in seconds (default 600).
 */
export interface BackupTries {
  tries: number;
  periodSeconds: number;
  retryDelaySeconds: number;
}

export function backupTriesFrom(conf: BpConf): BackupTries {
  const clamp = (n: number, lo: number, hi: number) => Math.min(hi, Math.max(lo, n));
  return {
    tries: clamp(confInt(conf, 'BACKUP_TRIES', 2), 1, 100),
    periodSeconds: clamp(confInt(conf, 'BACKUP_TRIES_PERIOD', 12), 1, 24 * 366) * 3600,
    retryDelaySeconds: clamp(confInt(conf, 'JOB_RETRY_DELAY', 600), 0, 7 * 86400),
  };
}

/** The failed tries (their start times) that still count: those inside the period before `now`. */
export function triesInPeriod(failedTries: readonly number[], now: number, cfg: BackupTries): number[] {
  return failedTries.filter((t) => t > now - cfg.periodSeconds && t <= now);
}

/** How many tries a job submitted now may make (at least 1 when any are left, 0 when used up). */
export function triesLeft(failedTries: readonly number[], now: number, cfg: BackupTries): number {
  return Math.max(0, cfg.tries - triesInPeriod(failedTries, now, cfg).length);
}

/** When the tries are used up: the time the oldest counted try leaves the period; undefined when tries are left. */
export function triesBlockedUntil(failedTries: readonly number[], now: number, cfg: BackupTries): number | undefined {
  const counted = triesInPeriod(failedTries, now, cfg).sort((a, b) => a - b);
  if (counted.length < cfg.tries) return undefined;
  return counted[counted.length - cfg.tries]! + cfg.periodSeconds;
}
