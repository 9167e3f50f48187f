// Which process has a file open, read from /proc: lets a test act while bpbkar or nbtar is inside a file.

import fs from 'node:fs';

/** The pid of a process that has `file` open, or undefined. */
export function openerOf(file: string): number | undefined {
  for (const pid of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(pid)) continue;
    let fds: string[];
    try {
      fds = fs.readdirSync(`/proc/${pid}/fd`);
    } catch {
      continue;
    }
    for (const fd of fds) {
      try {
        if (fs.readlinkSync(`/proc/${pid}/fd/${fd}`) === file) return Number(pid);
      } catch {
        // gone meanwhile
      }
    }
  }
  return undefined;
}

/** Waits until some process has `file` open; false after `ms`. */
export async function waitUntilOpen(file: string, ms: number): Promise<boolean> {
  const deadline = Date.now() + ms;
  while (Date.now() < deadline) {
    if (openerOf(file) !== undefined) return true;
    await new Promise((r) => setTimeout(r, 10));
  }
  return false;
}
