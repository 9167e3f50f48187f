// Retention levels and their default periods (NetBackup's 0-24 table).

const DAY = 86400;
/** Seconds per level; -1 = infinite. */
export const RETENTION_SECONDS: readonly number[] = [
  7 * DAY, 14 * DAY, 21 * DAY, 31 * DAY, 62 * DAY, 92 * DAY, 183 * DAY, 274 * DAY, 365 * DAY,
  ...Array.from({ length: 16 }, () => -1),
];

/** Expiration time for an image written at backupTime; NetBackup's "infinity" is 2^31-1. */
export function expirationFor(backupTime: number, level: number): number {
  const s = RETENTION_SECONDS[level] ?? -1;
  return s < 0 ? 2147483647 : backupTime + s;
}
