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

export interface HomeProcess {
  name: string;
  pid: number;
  ppid: number;
}

/**
 * The openbp processes of one home, read straight from /proc (a bpps run takes too long to catch a
 * short job phase): the name is the process title or the bin/<name> launcher's, the home is OPENBP_HOME in the environment.
 */
export function processesOfHome(root: string): HomeProcess[] {
  const out: HomeProcess[] = [];
  const want = `OPENBP_HOME=${root}`;
  for (const pid of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(pid)) continue;
    try {
      const argv = fs.readFileSync(`/proc/${pid}/cmdline`, 'latin1').split('\0');
      // Daemons and job processes set their title to their name; commands still show node bin/<name>.
      const title = argv[0]!.trim().split(' ')[0]!;
      const bin = title.includes('/') ? argv.find((a) => /\/bin\/[a-z_.]+$/.test(a) && !a.endsWith('/node')) : `/${title}`;
      if (!bin) continue;
      if (!fs.readFileSync(`/proc/${pid}/environ`, 'latin1').split('\0').includes(want)) continue;
      const stat = fs.readFileSync(`/proc/${pid}/stat`, 'latin1');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      out.push({ name: bin.slice(bin.lastIndexOf('/') + 1), pid: Number(pid), ppid });
    } catch {
      // gone meanwhile
    }
  }
  return out;
}
