// Starting openbp binaries as child processes (node directly, no shell; descriptors passed as given).

import { spawn, type ChildProcess, type StdioOptions } from 'node:child_process';
import { binaryPath } from '../config/install.js';

export interface SpawnBinaryOptions {
  stdio?: StdioOptions;
  env?: NodeJS.ProcessEnv;
  detached?: boolean;
  cwd?: string;
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

/** Spawns bin/<name> with the running node; the child's title is its binary name. */
export function spawnBinary(name: string, args: readonly string[], opts: SpawnBinaryOptions = {}): ChildProcess {
  return spawn(process.execPath, [binaryPath(name), ...args], {
    stdio: opts.stdio ?? ['ignore', 'pipe', 'pipe'],
    env: binaryEnv(opts.env ?? process.env),
    detached: opts.detached ?? false,
    ...(opts.cwd ? { cwd: opts.cwd } : {}),
  });
}

/** Resolves with the child's exit: a code, or the signal that killed it. */
export function waitForExit(child: ChildProcess): Promise<{ code: number | null; signal: NodeJS.Signals | null }> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve({ code: child.exitCode, signal: child.signalCode });
  return new Promise((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
}
