// Stops every openbp process of a home: daemons by request, then anything left by SIGTERM, then SIGKILL.

import fs from 'node:fs';
import type { Home } from '../config/home.js';
import { pidPath, socketPath } from '../config/home.js';
import { callOnce } from '../ipc/rpc-client.js';
import { terminate } from '../protocol/lifecycle.js';
import { DAEMONS } from '../protocol/message.js';
import { listOpenbpProcesses, type OpenbpProcess } from './process-table.js';
import { requireOwner } from './master-access.js';

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

export async function stopAll(home: Home): Promise<OpenbpProcess[]> {
  requireOwner(home, 'stop the daemons');
  const before = listOpenbpProcesses(home).filter((p) => p.pid !== process.pid);
  await Promise.all(DAEMONS.map((d) => callOnce(socketPath(home, d), d, terminate(d), {}, { timeoutMs: 2000 }).catch(() => {})));
  let left = await waitGone(before.map((p) => p.pid), 3000);
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
  for (const d of DAEMONS) {
    fs.rmSync(pidPath(home, d), { force: true });
  }
  return before;
}
