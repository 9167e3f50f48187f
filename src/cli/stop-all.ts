// Stops every openbp process of a home: daemons by request, then anything left by SIGTERM, then SIGKILL.

import fs from 'node:fs';
import type { Home } from '../config/home.js';
import { pidPath, socketPath } from '../config/home.js';
import { callOnce } from '../ipc/rpc-client.js';
import { terminate } from '../protocol/lifecycle.js';
import { DAEMONS } from '../protocol/message.js';
import { listOpenbpProcesses, type OpenbpProcess } from './process-table.js';
import { requireOwner } from './master-access.js';
import { releaseStartLock, takeStartLock } from './ensure-daemons.js';

const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

async function waitGone(pids: number[], ms: number): Promise<number[]> {
  const end = Date.now() + ms;
  let left = pids.filter(alive);
  while (left.length && Date.now() < end) {
    await new Promise((r) => setTimeout(r, 25));
    left = left.filter(alive);
  }
  return left;
}

/** Stops the given processes: daemons by request, then SIGTERM, then SIGKILL. */
async function stopProcesses(home: Home, procs: OpenbpProcess[]): Promise<void> {
  await Promise.all(DAEMONS.map((d) => callOnce(socketPath(home, d), d, terminate(d), {}, { timeoutMs: 2000 }).catch(() => {})));
  let left = await waitGone(procs.map((p) => p.pid), 3000);
  for (const pid of left) {
    try {
      process.kill(pid, 'SIGTERM');
    } catch {
      /* gone */
    }
  }
  left = await waitGone(left, 3000);
  for (const pid of left) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      /* gone */
    }
  }
  await waitGone(left, 2000);
}

const STOP_ROUNDS = 3;

/**
 * Stops every openbp process of the home. It holds the start lock throughout, and stops what appeared
 * meanwhile too (a daemon or job process that lost its peer while the others went down may have begun
 * starting the set before the lock was taken): no daemon outlives bp.kill_all.
 */
export async function stopAll(home: Home): Promise<OpenbpProcess[]> {
  requireOwner(home, 'stop the daemons');
  const locked = fs.existsSync(home.run) && (await takeStartLock(home, 5000));
  try {
    const before = listOpenbpProcesses(home).filter((p) => p.pid !== process.pid);
    await stopProcesses(home, before);
    for (let round = 1; round < STOP_ROUNDS; round++) {
      const late = listOpenbpProcesses(home).filter((p) => p.pid !== process.pid);
      if (late.length === 0) break;
      before.push(...late.filter((p) => !before.some((b) => b.pid === p.pid)));
      await stopProcesses(home, late);
    }
    for (const d of DAEMONS) {
      fs.rmSync(pidPath(home, d), { force: true });
    }
    return before;
  } finally {
    if (locked) releaseStartLock(home);
  }
}
