// Exclusive lock files holding the owner's pid; a lock whose owner died (e.g. SIGKILL) is taken over.

import fs from 'node:fs/promises';

function alive(pid: number): boolean {
  if (!Number.isInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

export interface PidLock {
  readonly path: string;
  release(): Promise<void>;
}

/** Pid of the live holder of a lock file, or null if it is free or stale. */
export async function lockHolder(path: string): Promise<number | null> {
  try {
    const pid = Number((await fs.readFile(path, 'utf8')).trim());
    return alive(pid) ? pid : null;
  } catch {
    return null;
  }
}

/** Takes the lock or returns null if a live process holds it (including this one). */
export async function tryLock(path: string): Promise<PidLock | null> {
  for (let attempt = 0; attempt < 3; attempt++) {
    try {
      const fh = await fs.open(path, 'wx', 0o644);
      await fh.writeFile(`${process.pid}\n`);
      await fh.close();
      return {
        path,
        release: async () => {
          await fs.rm(path, { force: true });
        },
      };
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
      if ((await lockHolder(path)) !== null) return null;
      // stale: the holder died; only remove it if it still names the dead holder
      const before = await fs.readFile(path, 'utf8').catch(() => '');
      await new Promise((r) => setTimeout(r, 5));
      const after = await fs.readFile(path, 'utf8').catch(() => '');
      if (before === after) await fs.rm(path, { force: true });
    }
  }
  return null;
}

/** Waits for a short-lived lock (library.json updates). */
export async function acquireLock(path: string, timeoutMs = 10000): Promise<PidLock> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const l = await tryLock(path);
    if (l) return l;
    if (Date.now() > until) throw new Error(`timed out waiting for lock ${path}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}
