// nbrb's allocation history from its log: the most jobs it ever held at once, per client, policy or unit.

import fs from 'node:fs';
import path from 'node:path';
import type { OpenbpHome } from './openbp-home.js';

export interface JobKeys {
  client: string;
  policy: string;
  stunit: string;
}

/**
 * Replays nbrb's "job N: allocated UNIT" / "job N: released" lines in order and returns, for each
 * key `by` gives a job (its client, policy or unit), the highest number of allocations held at once.
 * nbrb writes a line when it grants and when it frees, so this is exact, not sampled.
 */
export function peakAllocations(home: OpenbpHome, jobs: ReadonlyMap<number, JobKeys>, by: (k: JobKeys) => string): Map<string, number> {
  const dir = home.path('logs', 'nbrb');
  const lines = fs
    .readdirSync(dir)
    .sort()
    .flatMap((f) => fs.readFileSync(path.join(dir, f), 'utf8').split('\n'));
  const held = new Map<string, number>();
  const peak = new Map<string, number>();
  for (const line of lines) {
    const m = /job (\d+): (allocated|released)\b/.exec(line);
    const job = m ? jobs.get(Number(m[1])) : undefined;
    if (!m || !job) continue;
    const k = by(job);
    const n = (held.get(k) ?? 0) + (m[2] === 'allocated' ? 1 : -1);
    held.set(k, n);
    peak.set(k, Math.max(peak.get(k) ?? 0, n));
  }
  return peak;
}
