// Legacy-style debug logs: $OPENBP_HOME/logs/<process>/log.<mmddyy>, one timestamped line per event.

import fs from 'node:fs';
import path from 'node:path';
import type { Home } from './home.js';

function stamp(d: Date): string {
  const p = (n: number) => String(n).padStart(2, '0');
  return `${p(d.getHours())}:${p(d.getMinutes())}:${p(d.getSeconds())}.${String(d.getMilliseconds()).padStart(3, '0')}`;
}

function logName(d: Date): string {
  const p = (n: number) => String(n).padStart(2, '0');
  return `log.${p(d.getMonth() + 1)}${p(d.getDate())}${p(d.getFullYear() % 100)}`;
}

export type LogLine = (line: string) => void;

/** A logger appending to the process's log folder; never throws. */
export function openProcessLog(home: Home, processName: string): LogLine {
  const dir = path.join(home.logs, processName);
  try {
    fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
  } catch {
    return () => {};
  }
  return (line: string) => {
    const now = new Date();
    try {
      fs.appendFileSync(path.join(dir, logName(now)), `${stamp(now)} [${process.pid}] ${line}\n`, { mode: 0o600 });
    } catch {
      /* logging must never break the job */
    }
  };
}

/** The file a spawned process's stderr should go to (opened for append). */
export function processLogFd(home: Home, processName: string): number | 'ignore' {
  const dir = path.join(home.logs, processName);
  try {
    fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
    return fs.openSync(path.join(dir, logName(new Date())), 'a', 0o600);
  } catch {
    return 'ignore';
  }
}
