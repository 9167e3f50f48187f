// Test plumbing for the client binaries: spawn bpbkar / nbtar as real processes, collect stream, events and status.

import fs from 'node:fs';
import path from 'node:path';
import type { ChildProcess } from 'node:child_process';
import type { Readable } from 'node:stream';
import { spawnCommandModule } from '../helpers/run-binary.js';
import { readEventLines } from '../../src/ipc/event-lines.js';
import { waitForExit } from '../../src/ipc/spawn.js';
import { decodeBlock, type FilesEntry } from '../../src/formats/files-file.js';

export interface ClientRun {
  status: number | null;
  events: Array<Record<string, unknown>>;
  stderr: string;
  stdout: Buffer;
}

/** Writes a spec file under dir and returns the argv that names it ('--' keeps node from reading the flag). */
export function specArgs(dir: string, name: string, spec: unknown): string[] {
  const file = path.join(dir, `${name}.json`);
  fs.writeFileSync(file, JSON.stringify(spec));
  return ['--spec', file];
}

async function collect(child: ChildProcess, captureStdout: boolean): Promise<ClientRun> {
  const events: Array<Record<string, unknown>> = [];
  const eventsDone = readEventLines(child.stdio[3] as Readable, (v) => events.push(v as Record<string, unknown>));
  const out: Buffer[] = [];
  if (captureStdout && child.stdout) child.stdout.on('data', (b: Buffer) => out.push(b));
  let stderr = '';
  child.stderr?.on('data', (b: Buffer) => (stderr += b.toString()));
  const [exit] = await Promise.all([waitForExit(child), eventsDone]);
  return { status: exit.code, events, stderr, stdout: Buffer.concat(out) };
}

/** Runs bpbkar and captures its whole stream. */
export async function runBpbkar(dir: string, spec: unknown, env?: NodeJS.ProcessEnv): Promise<ClientRun> {
  const child = spawnCommandModule('bpbkar', specArgs(dir, 'bpbkar', spec), { stdio: ['ignore', 'pipe', 'pipe', 'pipe'], ...(env ? { env } : {}) });
  return collect(child, true);
}

/** Runs nbtar with `input` (a buffer written to its stdin, or an already-open stream/fd). */
export async function runNbtar(dir: string, spec: unknown, input: Buffer): Promise<ClientRun> {
  const child = spawnCommandModule('nbtar', specArgs(dir, 'nbtar', spec), { stdio: ['pipe', 'pipe', 'pipe', 'pipe'] });
  child.stdin!.on('error', () => {});
  child.stdin!.end(input);
  return collect(child, false);
}

/**
 * Starts nbtar with stdin an open descriptor (the read end of a pipe the test writes into, or a file): the
 * descriptor is passed as it is, so a pipe stays a real pipe. The caller closes its own copy after the spawn.
 */
export function startNbtar(dir: string, spec: unknown, stdinFd: number): { child: ChildProcess; done: Promise<ClientRun> } {
  const child = spawnCommandModule('nbtar', specArgs(dir, 'nbtar', spec), { stdio: [stdinFd, 'pipe', 'pipe', 'pipe'] });
  return { child, done: collect(child, false) };
}

/** bpbkar | nbtar: bpbkar's stdout is handed to nbtar as its stdin (a kernel pipe between the two processes). */
export async function runPipeline(dir: string, backup: unknown, restore: unknown): Promise<{ bpbkar: ClientRun; nbtar: ClientRun }> {
  const bk = spawnCommandModule('bpbkar', specArgs(dir, 'bpbkar', backup), { stdio: ['ignore', 'pipe', 'pipe', 'pipe'] });
  const nt = spawnCommandModule('nbtar', specArgs(dir, 'nbtar', restore), { stdio: [bk.stdout!, 'pipe', 'pipe', 'pipe'] });
  const [b, n] = await Promise.all([collect(bk, false), collect(nt, false)]);
  return { bpbkar: b, nbtar: n };
}

/** The catalogue records a bpbkar run reported: its file-block events decoded (the .f block encoding), in order. */
export function recordsOf(run: ClientRun): FilesEntry[] {
  return run.events.flatMap((e) => (e.kind === 'file-block' ? decodeBlock(e.block as Buffer, e.count as number) : []));
}
