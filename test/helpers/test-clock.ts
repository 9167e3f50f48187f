// The controlled clock of scenario tests: a file of seconds to add to the system clock (OPENBP_TEST_CLOCK_FILE),
// re-read by every process of the home at each call.

import fs from 'node:fs';

/**
 * Sets the clock's offset in seconds, atomically (a new file renamed over the old): a process reading it
 * meanwhile sees the old offset or the new one, never the empty file a rewrite in place passes through,
 * which reads as offset 0, the real date.
 */
export function writeClockOffset(file: string, seconds: number): void {
  const next = `${file}.new`;
  fs.writeFileSync(next, `${seconds}\n`);
  fs.renameSync(next, file);
}
