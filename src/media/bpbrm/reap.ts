// When one process of a job dies abnormally, the others must not keep the job waiting forever: after a
// grace period, bpbrm stops what is left of the job in its process group (bptm's child included,
// which bpbrm did not start itself and cannot name).

import fs from 'node:fs';
import type { ChildProcess } from 'node:child_process';
import type { LogLine } from '../../config/daemon-log.js';

const GRACE_MS = 5000;

function groupOf(pid: number): number | undefined {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'latin1');
    return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[2]);
  } catch {
    return undefined;
  }
}

/** Processes of bpbrm's own process group other than bpbrm (only when bpbrm leads the group, as nbjm starts it). */
function jobProcesses(): number[] {
  const me = process.pid;
  if (groupOf(me) !== me) return [];
  const out: number[] = [];
  for (const e of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(e) || Number(e) === me) continue;
    if (groupOf(Number(e)) === me) out.push(Number(e));
  }
  return out;
}

/**
 * Watches `child`: if it ends by a signal (or, with `failOnCode`, a non-zero code), every other process of
 * the job still running GRACE_MS later gets SIGTERM.
 */
export function reapOnAbnormalEnd(child: ChildProcess, name: string, log: LogLine, failOnCode: boolean): void {
  child.once('exit', (code, signal) => {
    if (!signal && !(failOnCode && code !== 0)) return;
    setTimeout(() => {
      const left = jobProcesses();
      if (left.length === 0) return;
      log(`${name} ended (${signal ?? `exit ${code}`}); stopping what is left of the job: ${left.join(' ')}`);
      for (const pid of left) {
        try {
          process.kill(pid, 'SIGTERM');
        } catch {
          /* gone */
        }
      }
    }, GRACE_MS).unref();
  });
}
