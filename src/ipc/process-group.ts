// Stopping a process group that outlived its leader: SIGTERM, a grace period, then SIGKILL.

function groupAlive(pgid: number): boolean {
  try {
    process.kill(-pgid, 0);
    return true;
  } catch {
    return false;
  }
}

async function waitGone(pgid: number, ms: number): Promise<boolean> {
  const end = Date.now() + ms;
  while (groupAlive(pgid)) {
    if (Date.now() > end) return false;
    await new Promise((r) => setTimeout(r, 25));
  }
  return true;
}

/** Resolves true when a live group was stopped, false when none was left. */
export async function stopProcessGroup(pgid: number, graceMs = 5000): Promise<boolean> {
  if (!groupAlive(pgid)) return false;
  try {
    process.kill(-pgid, 'SIGTERM');
  } catch {
    return false;
  }
  if (await waitGone(pgid, graceMs)) return true;
  try {
    process.kill(-pgid, 'SIGKILL');
  } catch {
    /* gone meanwhile */
  }
  await waitGone(pgid, 2000);
  return true;
}
