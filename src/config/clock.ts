// The time the daemons and commands go by: the system clock, shifted in tests by OPENBP_TEST_CLOCK_FILE.
//
// Tests that simulate days (a week of schedules, retention running out) write a whole number of seconds
// into the file named by OPENBP_TEST_CLOCK_FILE; every process of the home then reads the system clock
// plus that offset, so time keeps flowing and all processes agree. Unset (every real site), it is
// Date.now(). The file is re-read at each call so a test can move the clock while daemons run.

import fs from 'node:fs';

export const TEST_CLOCK_ENV = 'OPENBP_TEST_CLOCK_FILE';

/** The offset last read: a file caught empty (rewritten in place) or unreadable keeps it, not the real date. */
let lastOffsetMs = 0;

function offsetMs(): number {
  const file = process.env[TEST_CLOCK_ENV];
  if (!file) return 0;
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8').trim();
  } catch {
    return lastOffsetMs;
  }
  const seconds = Number(text);
  if (text !== '' && Number.isFinite(seconds)) lastOffsetMs = Math.round(seconds * 1000);
  return lastOffsetMs;
}

/** Milliseconds since the epoch. */
export function nowMs(): number {
  return Date.now() + offsetMs();
}

/** Whole seconds since the epoch. */
export function nowSeconds(): number {
  return Math.floor(nowMs() / 1000);
}
