// nbpem's store: when each (policy, schedule, client) last ran and how it ended (db/pem/history.json).

import path from 'node:path';
import fs from 'node:fs';
import type { Home } from '../../config/home.js';
import { readJsonFile, writeFileAtomic } from '../../config/atomic-file.js';

export interface RunEntry {
  lastAttempt: number;
  lastStatus: number;
  lastSuccess: number;
  /** Start times of the failed tries since the last success (BACKUP_TRIES counts those within its period). */
  failedTries?: number[];
  /** The job this entry was last recorded from: its end is recorded once, however many times it is reported. */
  lastJobid?: number;
}

/** Enough failed tries to judge any BACKUP_TRIES setting. */
const KEEP_FAILED_TRIES = 100;

export class RunHistory {
  private readonly file: string;
  private entries: Record<string, RunEntry>;

  constructor(home: Home) {
    const dir = path.join(home.db, 'pem');
    fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
    this.file = path.join(dir, 'history.json');
    this.entries = readJsonFile<{ entries: Record<string, RunEntry> }>(this.file)?.entries ?? {};
  }

  static key(policy: string, schedule: string, client: string): string {
    return `${policy}\u0000${schedule}\u0000${client}`;
  }

  get(policy: string, schedule: string, client: string): RunEntry | undefined {
    return this.entries[RunHistory.key(policy, schedule, client)];
  }

  /**
   * Records how job `jobid` ended, unless it is already recorded. `failedTries`: the start times of its
   * tries that failed (all of them when it failed; the ones before the successful try otherwise); a
   * success clears the count.
   */
  record(policy: string, schedule: string, client: string, jobid: number, status: number, at: number, failedTries: readonly number[] = []): void {
    const k = RunHistory.key(policy, schedule, client);
    const old = this.entries[k];
    if (old?.lastJobid === jobid) return;
    const success = status <= 1;
    this.entries[k] = {
      lastAttempt: at, lastStatus: status, lastSuccess: success ? at : (old?.lastSuccess ?? 0),
      failedTries: success ? [] : [...(old?.failedTries ?? []), ...failedTries].slice(-KEEP_FAILED_TRIES),
      lastJobid: jobid,
    };
    writeFileAtomic(this.file, `${JSON.stringify({ format: 'openbp-pem-history', version: 1, entries: this.entries })}\n`);
  }
}
