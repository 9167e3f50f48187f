// Starting openbp binaries as child processes (node directly, no shell; descriptors passed as given).

import fs from 'node:fs';
import { spawn, type ChildProcess, type StdioOptions } from 'node:child_process';
import { binaryEntry } from '../config/install.js';
import type { Home } from '../config/home.js';
import { sys } from '../native/sys.js';
import { encodeInvocation, SPARE_FLAG } from './spare-process.js';

export interface SpawnBinaryOptions {
  stdio?: StdioOptions;
  env?: NodeJS.ProcessEnv;
  detached?: boolean;
  cwd?: string;
  /** Map stack traces to src/ through the bundle's source map (~5 ms more per start); always with OPENBP_DEBUG. */
  sourceMaps?: boolean;
}

/**
 * The environment for an openbp process started from this one. openbp speaks no TLS, and with
 * NODE_EXTRA_CA_CERTS set (some hosts set it for every user) Node parses that CA bundle at every start:
 * ~50 ms of CPU per process, five processes a job. It is left out; everything else passes as is.
 */
export function binaryEnv(env: NodeJS.ProcessEnv = process.env): NodeJS.ProcessEnv {
  if (env.NODE_EXTRA_CA_CERTS === undefined) return env;
  const { NODE_EXTRA_CA_CERTS: _unused, ...rest } = env;
  return rest;
}

/**
 * The environment of an openbp process started for `home`: this one's, with OPENBP_HOME set to it. A spare is handed
 * only runs whose environment equals its own, so its keeper and the spawns that take it both make it here.
 */
export function homeEnv(home: Home): NodeJS.ProcessEnv {
  return { ...process.env, OPENBP_HOME: home.root };
}

function nodeArgs(name: string, env: NodeJS.ProcessEnv, sourceMaps: boolean | undefined): string[] {
  return [...(sourceMaps === true || Boolean(env.OPENBP_DEBUG) ? ['--enable-source-maps'] : []), binaryEntry(name)];
}

/** Spawns the binary's bundle (else bin/<name>) with the running node; the child's title is its binary name. */
export function spawnBinary(name: string, args: readonly string[], opts: SpawnBinaryOptions = {}): ChildProcess {
  const env = binaryEnv(opts.env ?? process.env);
  const stdio = opts.stdio ?? ['ignore', 'pipe', 'pipe'];
  const spare = spares.get(name);
  if (spare) {
    spares.delete(name);
    const child = handOver(spare, args, stdio, spareKey(env, opts));
    if (child) return child;
  }
  return spawn(process.execPath, [...nodeArgs(name, env, opts.sourceMaps), ...args], {
    stdio,
    env,
    detached: opts.detached ?? false,
    ...(opts.cwd ? { cwd: opts.cwd } : {}),
  });
}

// ---- spares (see spare-process.ts): started ahead, taken by the next spawnBinary of their binary whose options match.

interface Spare {
  readonly child: ChildProcess;
  /** Our end of the control pair. */
  readonly ctl: number;
  /** What a spawn must ask for to be given this spare (environment, node options, cwd, detached). */
  readonly key: string;
  /** Whether descriptor 3 is a pipe to us (the event pipe of a job's child), as `'pipe'` at stdio[3] asks. */
  readonly fd3Pipe: boolean;
}

const spares = new Map<string, Spare>();

export interface SpareOptions {
  env?: NodeJS.ProcessEnv;
  detached?: boolean;
  sourceMaps?: boolean;
  /** Descriptor 3 a pipe to this process (stdio[3] 'pipe' of the spawns that will take it). */
  fd3Pipe?: boolean;
  /** Arguments the spare's preparation gets (what it will be, when its binary has more than one part). */
  role?: readonly string[];
}

function spareKey(env: NodeJS.ProcessEnv, opts: { detached?: boolean; sourceMaps?: boolean; cwd?: string }): string {
  const entries = Object.entries(env).filter(([, v]) => v !== undefined).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return JSON.stringify([opts.detached ?? false, opts.sourceMaps ?? false, opts.cwd ?? process.cwd(), entries]);
}

/**
 * Starts a spare of the binary (replacing one kept already): the next spawnBinary(name) with the same options and
 * stdio of descriptors or 'ignore' for 0-2 (and 'pipe' for 3 as fd3Pipe says) is handed to it instead of starting a
 * process. Returns the spare, or undefined when it could not be started (then spawns start processes as before).
 */
export function keepSpare(name: string, opts: SpareOptions = {}): ChildProcess | undefined {
  dropSpare(name);
  const env = binaryEnv(opts.env ?? process.env);
  let pair: [number, number];
  try {
    pair = sys().socketPair();
  } catch {
    return undefined;
  }
  const [ours, theirs] = pair;
  const stdio: StdioOptions = opts.fd3Pipe ? ['ignore', 'ignore', 'ignore', 'pipe', theirs] : ['ignore', 'ignore', 'ignore', theirs];
  let child: ChildProcess;
  try {
    child = spawn(process.execPath, [...nodeArgs(name, env, opts.sourceMaps), SPARE_FLAG, String(stdio.length - 1), ...(opts.role ?? [])], {
      stdio,
      env,
      detached: opts.detached ?? false,
    });
  } catch {
    fs.closeSync(ours);
    return undefined;
  } finally {
    fs.closeSync(theirs);
  }
  child.once('error', () => {}); // a spare that cannot start is found dead when taken
  spares.set(name, { child, ctl: ours, key: spareKey(env, opts), fd3Pipe: opts.fd3Pipe ?? false });
  return child;
}

/** Whether a spare of the binary is kept (it may have died since: taking it then starts a process instead). */
export function hasSpare(name: string): boolean {
  return spares.has(name);
}

/** Lets the spare go: it sees our end close and exits. Nothing waits for it. */
function release(spare: Spare): void {
  fs.closeSync(spare.ctl);
  spare.child.unref();
  for (const s of spare.child.stdio) if (s && 'destroy' in s) s.destroy();
}

export function dropSpare(name: string): void {
  const spare = spares.get(name);
  if (!spare) return;
  spares.delete(name);
  release(spare);
}

/** Lets every kept spare go (a process that ends, or will not spawn them). */
export function dropSpares(): void {
  for (const name of [...spares.keys()]) dropSpare(name);
}

/** Hands the run to the spare: the child, or undefined (released) when the spare cannot be this run. */
function handOver(spare: Spare, args: readonly string[], stdio: StdioOptions, key: string): ChildProcess | undefined {
  const wanted = Array.isArray(stdio) ? stdio : undefined;
  const fds: number[] = [];
  const targets: number[] = [];
  const unset = (w: unknown) => w === 'ignore' || w === undefined || w === null;
  let fits = wanted !== undefined && key === spare.key && spare.child.exitCode === null && spare.child.signalCode === null;
  if (wanted && fits) {
    // 0-2: a descriptor (passed) or nothing; 3: the spare's event pipe where it has one; nothing beyond.
    for (let i = 0; i < wanted.length && fits; i++) {
      const w: unknown = wanted[i];
      if (i <= 2 && typeof w === 'number') {
        fds.push(w);
        targets.push(i);
      } else fits = i === 3 && spare.fd3Pipe ? w === 'pipe' : unset(w);
    }
    if (spare.fd3Pipe && wanted.length < 4) fits = false;
  }
  if (fits) {
    try {
      sys().sendFds(spare.ctl, encodeInvocation({ args: [...args], targets }), fds);
    } catch {
      fits = false;
    }
  }
  if (!fits) {
    release(spare);
    return undefined;
  }
  fs.closeSync(spare.ctl);
  return spare.child;
}

/** Resolves with the child's exit: a code, or the signal that killed it. */
export function waitForExit(child: ChildProcess): Promise<{ code: number | null; signal: NodeJS.Signals | null }> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve({ code: child.exitCode, signal: child.signalCode });
  return new Promise((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
}
