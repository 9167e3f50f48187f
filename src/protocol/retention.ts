// Retention levels and their default periods (NetBackup's 0-24 table), shared by nbjm and bpretlevel.

const DAY = 86400;
/** Seconds per level; -1 = infinite. */
export const RETENTION_SECONDS: readonly number[] = [
  7 * DAY, 14 * DAY, 21 * DAY, 31 * DAY, 62 * DAY, 92 * DAY, 183 * DAY, 274 * DAY, 365 * DAY,
  ...Array.from({ length: 16 }, () => -1),
];

/** NetBackup's default period names, per level. */
const PERIOD_NAMES: readonly string[] = [
  '1 week', '2 weeks', '3 weeks', '1 month', '2 months', '3 months', '6 months', '9 months', '1 year',
  ...Array.from({ length: 16 }, () => 'infinity'),
];

export const MAX_RETENTION_LEVEL = RETENTION_SECONDS.length - 1;

export function isRetentionLevel(level: number): boolean {
  return Number.isInteger(level) && level >= 0 && level <= MAX_RETENTION_LEVEL;
}

/** "2 weeks", "infinity". */
export function retentionPeriodName(level: number): string {
  return PERIOD_NAMES[level] ?? 'infinity';
}

/** Expiration time for an image written at backupTime; NetBackup's "infinity" is 2^31-1. */
export function expirationFor(backupTime: number, level: number): number {
  const s = RETENTION_SECONDS[level] ?? -1;
  return s < 0 ? 2147483647 : backupTime + s;
}
