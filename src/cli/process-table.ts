// The running openbp processes of one home, read from /proc (what bpps shows and bp.kill_all stops).

import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { BIN_DIR } from '../config/install.js';
import type { Home } from '../config/home.js';

export interface OpenbpProcess {
  pid: number;
  ppid: number;
  uid: number;
  name: string;
  args: string[];
  startedSecondsAgo: number;
}

function homeOf(environ: string[]): string {
  const get = (k: string) => environ.find((e) => e.startsWith(`${k}=`))?.slice(k.length + 1);
  const explicit = get('OPENBP_HOME');
  if (explicit) return path.resolve(explicit);
  return path.join(get('HOME') ?? os.homedir(), '.openbp');
}

export function listOpenbpProcesses(home: Home): OpenbpProcess[] {
  const out: OpenbpProcess[] = [];
  const ticks = 100;
  let uptime = 0;
  try {
    uptime = Number(fs.readFileSync('/proc/uptime', 'utf8').split(' ')[0]);
  } catch {
    /* no /proc/uptime: ages unknown */
  }
  const names = new Set(fs.readdirSync(BIN_DIR));
  for (const entry of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const pid = Number(entry);
    try {
      // Our processes set their title, which replaces argv: recognise them by name and executable.
      const name = fs.readFileSync(`/proc/${pid}/comm`, 'latin1').trim();
      if (!names.has(name)) continue;
      if (!path.basename(fs.readlinkSync(`/proc/${pid}/exe`)).startsWith('node')) continue;
      const argv = fs.readFileSync(`/proc/${pid}/cmdline`, 'latin1').split('\0').map((a) => a.trim()).filter((a) => a !== '');
      const environ = fs.readFileSync(`/proc/${pid}/environ`, 'latin1').split('\0');
      if (homeOf(environ) !== home.root) continue;
      const stat = fs.readFileSync(`/proc/${pid}/stat`, 'latin1');
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      const status = fs.readFileSync(`/proc/${pid}/status`, 'latin1');
      const uid = Number(/^Uid:\s+(\d+)/m.exec(status)?.[1] ?? -1);
      out.push({
        pid,
        ppid: Number(fields[1]),
        uid,
        name,
        args: argv.slice(1),
        startedSecondsAgo: Math.max(0, Math.round(uptime - Number(fields[19]) / ticks)),
      });
    } catch {
      /* the process ended while we looked */
    }
  }
  return out.sort((a, b) => a.pid - b.pid);
}
