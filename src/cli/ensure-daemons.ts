// Starts the master daemons that are not running (the embedded default needs no set-up).

import fs from 'node:fs';
import path from 'node:path';
import { ensureHomeLayout, socketPath, type Home } from '../config/home.js';
import { processLogFd } from '../config/daemon-log.js';
import { callOnce } from '../ipc/rpc-client.js';
import { homeEnv, spawnBinary } from '../ipc/spawn.js';
import { socketListening } from '../ipc/socket-probe.js';
import { ping } from '../protocol/lifecycle.js';
import { DAEMONS, type DaemonName } from '../protocol/message.js';
import { OpenbpError } from '../protocol/errors.js';
import { requireOwner } from './master-access.js';

const START_TIMEOUT_MS = 20_000;

async function alive(home: Home, d: DaemonName): Promise<boolean> {
  try {
    await callOnce(socketPath(home, d), d, ping(d), {}, { timeoutMs: 3000 });
    return true;
  } catch {
    return false;
  }
}

/** Which daemons answer a ping. */
export async function daemonStates(home: Home): Promise<Map<DaemonName, boolean>> {
  const states = await Promise.all(DAEMONS.map(async (d) => [d, await alive(home, d)] as const));
  return new Map(states);
}

/**
 * The start lock (run/start.lock): two commands starting at once don't both spawn the set, and
 * bp.kill_all holds it while it stops everything, so that nothing restarts the set meanwhile.
 */
function takeLock(file: string): boolean {
  try {
    fs.writeFileSync(file, `${process.pid}\n`, { flag: 'wx', mode: 0o600 });
    return true;
  } catch {
    try {
      const pid = Number(fs.readFileSync(file, 'utf8').trim());
      const age = Date.now() - fs.statSync(file).mtimeMs;
      let holderAlive = true;
      try {
        process.kill(pid, 0);
      } catch {
        holderAlive = false;
      }
      if (!holderAlive || age > START_TIMEOUT_MS) {
        fs.rmSync(file, { force: true });
        return takeLock(file);
      }
    } catch {
      /* raced with its removal: try again next round */
    }
    return false;
  }
}

const startLockPath = (home: Home) => path.join(home.run, 'start.lock');

/** Takes the start lock of the home within ms; false when another holder kept it that long. */
export async function takeStartLock(home: Home, ms: number): Promise<boolean> {
  const lock = startLockPath(home);
  const end = Date.now() + ms;
  while (!takeLock(lock)) {
    if (Date.now() > end) return false;
    await new Promise((r) => setTimeout(r, 50));
  }
  return true;
}

export function releaseStartLock(home: Home): void {
  fs.rmSync(startLockPath(home), { force: true });
}

/** Starts every daemon that does not answer and waits until all do. Returns the ones started. */
export async function ensureDaemons(home: Home): Promise<DaemonName[]> {
  requireOwner(home, 'start the daemons');
  ensureHomeLayout(home);
  const deadline = Date.now() + START_TIMEOUT_MS;
  const started: DaemonName[] = [];
  if (!(await takeStartLock(home, START_TIMEOUT_MS))) throw new OpenbpError('CANNOT_CONNECT', 'timed out waiting for another command starting the daemons');
  try {
    // A daemon that listens is running, even when load makes it slow to answer a ping: starting another
    // copy of it would only have that copy refuse (serve-daemon.ts), so only the silent sockets get one.
    const listening = await Promise.all(DAEMONS.map(async (d) => [d, await socketListening(socketPath(home, d))] as const));
    for (const [d, up] of listening) {
      if (up) continue;
      const log = processLogFd(home, d);
      // Daemons log the stack of what they did not expect: it names src/ lines (they start once, the map costs little).
      const child = spawnBinary(d, [], { detached: true, stdio: ['ignore', log, log], env: homeEnv(home), sourceMaps: true });
      child.unref();
      if (typeof log === 'number') fs.closeSync(log);
      started.push(d);
    }
    for (const d of started) {
      while (!(await alive(home, d))) {
        if (Date.now() > deadline) throw new OpenbpError('CANNOT_CONNECT', `${d} did not start; see ${path.join(home.logs, d)}`);
        await new Promise((r) => setTimeout(r, 25));
      }
    }
  } finally {
    releaseStartLock(home);
  }
  return started;
}
