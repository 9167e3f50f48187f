// Starting openbp binaries as child processes (node directly, no shell; descriptors passed as given).

import { spawn, type ChildProcess, type StdioOptions } from 'node:child_process';
import { binaryPath } from '../config/install.js';

export interface SpawnBinaryOptions {
  stdio?: StdioOptions;
  env?: NodeJS.ProcessEnv;
  detached?: boolean;
  cwd?: string;
}

/** Spawns bin/<name> with the running node; the child's title is its binary name. */
export function spawnBinary(name: string, args: readonly string[], opts: SpawnBinaryOptions = {}): ChildProcess {
  return spawn(process.execPath, [binaryPath(name), ...args], {
    stdio: opts.stdio ?? ['ignore', 'pipe', 'pipe'],
    env: opts.env ?? process.env,
    detached: opts.detached ?? false,
    ...(opts.cwd ? { cwd: opts.cwd } : {}),
  });
}

/** Resolves with the child's exit: a code, or the signal that killed it. */
export function waitForExit(child: ChildProcess): Promise<{ code: number | null; signal: NodeJS.Signals | null }> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve({ code: child.exitCode, signal: child.signalCode });
  return new Promise((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
}
