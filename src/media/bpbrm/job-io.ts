// What bpbrm needs around its children: spec files, spawning with an event descriptor, exit meanings.

import fs from 'node:fs';
import path from 'node:path';
import type { ChildProcess } from 'node:child_process';
import type { Readable, Stream } from 'node:stream';

export type StdioEntry = 'pipe' | 'ignore' | number | Stream;
import type { Home } from '../../config/home.js';
import { processLogFd } from '../../config/daemon-log.js';
import { homeEnv, spawnBinary, waitForExit } from '../../ipc/spawn.js';
import { readEventLines } from '../../ipc/event-lines.js';

export interface ChildRun {
  readonly name: string;
  readonly child: ChildProcess;
  /** Resolves when the child has exited and its event descriptor is drained. */
  readonly done: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

/** Spawns bin/<name> --spec FILE; fd 3 carries its events to onEvent. */
export function startJobChild(
  home: Home,
  name: string,
  jobid: number,
  spec: unknown,
  stdin: StdioEntry,
  stdout: StdioEntry,
  onEvent: (v: unknown) => void,
): ChildRun {
  const file = path.join(home.run, 'jobs', `${jobid}.${name}.json`);
  fs.mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 });
  // Read only by the child started next: no fsync (a crash ends the job; nothing reads the file after).
  fs.writeFileSync(file, JSON.stringify(spec), { mode: 0o600 });
  const errFd = processLogFd(home, name);
  const child = spawnBinary(name, ['--spec', file], { stdio: [stdin, stdout, errFd, 'pipe'], env: homeEnv(home) });
  if (typeof errFd === 'number') fs.closeSync(errFd);
  const events = readEventLines(child.stdio[3] as Readable, onEvent);
  const done = (async () => {
    const [exit] = await Promise.all([waitForExit(child), events]);
    fs.rmSync(file, { force: true });
    return exit;
  })();
  return { name, child, done };
}

/** Runs async tasks one after the other (catalogue writes must keep their order). */
export class SerialQueue {
  private tail: Promise<void> = Promise.resolve();
  private firstError: unknown;
  private queued = 0;
  private onDone: (() => void) | undefined;

  /** Tasks pushed and not finished yet. */
  get pending(): number {
    return this.queued;
  }

  /** Calls fn once (the next time a task finishes with at most `n` left). */
  whenAtMost(n: number, fn: () => void): void {
    if (this.queued <= n) return fn();
    const prev = this.onDone;
    this.onDone = () => {
      if (this.queued > n) return;
      this.onDone = prev;
      fn();
    };
  }

  push(task: () => Promise<unknown>): void {
    this.queued++;
    this.tail = this.tail.then(async () => {
      try {
        if (this.firstError === undefined) await task();
      } catch (e) {
        this.firstError = e;
      } finally {
        this.queued--;
        this.onDone?.();
      }
    });
  }

  /** Waits for every queued task; rejects with the first failure. */
  async drain(): Promise<void> {
    await this.tail;
    if (this.firstError !== undefined) throw this.firstError;
  }
}

/** Throttles a callback to at most one call per interval (the last value wins). */
export function throttle<T>(intervalMs: number, fn: (v: T) => void): { push(v: T): void; flush(): void } {
  let last = 0;
  let pending: T | undefined;
  let timer: NodeJS.Timeout | undefined;
  const fire = () => {
    timer = undefined;
    if (pending === undefined) return;
    const v = pending;
    pending = undefined;
    last = Date.now();
    fn(v);
  };
  return {
    push(v) {
      pending = v;
      if (timer) return;
      const wait = Math.max(0, last + intervalMs - Date.now());
      timer = setTimeout(fire, wait);
    },
    flush() {
      if (timer) clearTimeout(timer);
      fire();
    },
  };
}
