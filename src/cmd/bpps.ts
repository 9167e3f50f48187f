// bpps: list the running openbp processes of this home.

import os from 'node:os';
import { defineCommand } from '../cli/command.js';
import { listOpenbpProcesses } from '../cli/process-table.js';
import { binaryPath } from '../config/install.js';

function userName(uid: number): string {
  if (uid === os.userInfo().uid) return os.userInfo().username;
  return uid === 0 ? 'root' : String(uid);
}

function elapsed(s: number): string {
  const p = (n: number) => String(n).padStart(2, '0');
  return `${p(Math.floor(s / 3600))}:${p(Math.floor((s % 3600) / 60))}:${p(s % 60)}`;
}

export const command = defineCommand({
  name: 'bpps',
  summary: 'list the running openbp processes',
  options: [{ flag: '-a', key: 'all', kind: 'flag', help: 'accepted for compatibility (all processes are listed)' }],
  async run(ctx) {
    const procs = listOpenbpProcesses(ctx.home).filter((p) => p.pid !== process.pid);
    const lines = ['NB Processes', '------------'];
    for (const p of procs) {
      lines.push(`${userName(p.uid).padStart(8)} ${String(p.pid).padStart(7)} ${String(p.ppid).padStart(7)} ${elapsed(p.startedSecondsAgo)} ${[binaryPath(p.name), ...p.args].join(' ')}`);
    }
    return { status: 0, stdout: `${lines.join('\n')}\n`, json: { processes: procs } };
  },
});
